import { useEffect, useState } from 'react';
import { PRIORITY_AREAS, type PriorityArea } from '../domain.js';
import { api, describeProblem } from '../api.js';
import { useLiveEvents } from '../live.js';
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

  // Live updates: the server announces each yellow or red declaration lodged; the list reloads
  // (useLiveEvents opens the stream again after a break and stops when the session ends).
  useLiveEvents(['declaration'], () => setTick((t) => t + 1));

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
