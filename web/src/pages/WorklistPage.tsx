import { useEffect, useState } from 'react';
import { PRIORITY_AREAS, type PriorityArea } from '../domain.js';
import { api, describeProblem, session } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';

interface Entry {
  id: string;
  reference: string;
  office: string | null;
  channel: string | null;
  score: number | null;
  submittedAt: string;
  status: string;
  declarantId: string | null;
  itemCount: number;
}

/** Yellow and red declarations to control, highest score first. */
export function WorklistPage() {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [area, setArea] = useState<string>('');
  const [trader, setTrader] = useState('');
  const [tick, setTick] = useState(0);

  // Live updates: the server announces each yellow or red declaration lodged; the list reloads.
  // When the stream breaks (a server restart, a network change) it is opened again with the id of
  // the last event seen, and the server sends what was missed.
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      let lastId: string | undefined;
      const token = session.token();
      // Only for the session the page was opened with: signed out (or in as someone else), stop.
      for (
        let attempt = 0;
        !abort.signal.aborted && token && session.token() === token;
        attempt++
      ) {
        try {
          const response = await fetch('/api/events', {
            headers: {
              Authorization: `Bearer ${token}`,
              ...(lastId !== undefined ? { 'Last-Event-ID': lastId } : {}),
            },
            signal: abort.signal,
          });
          if (!response.ok || !response.body) return;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            attempt = 0;
            buffer += value;
            const events = buffer.split('\n\n');
            buffer = events.pop() ?? '';
            let changed = false;
            for (const event of events) {
              const lines = event.split('\n');
              const id = lines.find((l) => l.startsWith('id: '));
              if (id !== undefined) lastId = id.slice(4);
              if (lines.includes('event: declaration')) changed = true;
            }
            if (changed && session.token() === token) setTick((t) => t + 1);
          }
        } catch {
          // Aborted on leaving the page, or the stream broke: the list still works without it.
          if (abort.signal.aborted) return;
        }
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
      }
    })();
    return () => abort.abort();
  }, []);

  useEffect(() => {
    let cancelled = false;
    void api
      .GET('/api/worklist', {
        params: {
          query: {
            ...(area ? { priorityArea: area as PriorityArea } : {}),
            ...(trader ? { trader } : {}),
          },
        },
      })
      .then(({ data, error: problem }) => {
        if (cancelled) return;
        if (problem) setError(describeProblem(problem));
        else setEntries((data ?? []) as Entry[]);
      });
    return () => {
      cancelled = true;
    };
  }, [area, trader, tick]);

  return (
    <section>
      <h1>Worklist</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Priority area
          <select value={area} onChange={(e) => setArea(e.target.value)}>
            <option value="">All</option>
            {PRIORITY_AREAS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trader
          <input
            value={trader}
            onChange={(e) => setTrader(e.target.value.trim())}
            placeholder="e.g. BY100"
          />
        </label>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!error && entries === null && <p className="status">Loading…</p>}
      {entries && entries.length === 0 && <p className="empty">Nothing awaits control.</p>}
      {entries && entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Channel</th>
              <th>Score</th>
              <th>Reference</th>
              <th>Office</th>
              <th>Declarant</th>
              <th>Items</th>
              <th>Lodged</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <span className={`channel ${e.channel ?? ''}`}>{e.channel}</span>
                </td>
                <td className="num">{formatNumber(e.score)}</td>
                <td>
                  <a href={`#/declarations/${encodeURIComponent(e.id)}`}>{e.reference}</a>
                </td>
                <td>{e.office}</td>
                <td>{e.declarantId}</td>
                <td className="num">{formatNumber(e.itemCount)}</td>
                <td>{formatDateTime(e.submittedAt)}</td>
                <td>{e.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
