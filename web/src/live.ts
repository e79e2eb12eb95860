import { useEffect, useRef } from 'react';
import { session } from './api.js';

/** One server-sent event of GET /api/events: its name and its data. */
export interface LiveEvent {
  event: string;
  data: unknown;
}

/**
 * Follows the server's live stream (GET /api/events) while the component is shown and calls
 * `onEvents` with the events named `names` as they come (in batches, as the stream delivers
 * them). When the stream breaks it is opened again with the id of the last event seen, and the
 * server sends what was missed. It stops when the session it was opened with ends.
 */
export function useLiveEvents(names: readonly string[], onEvents: (events: LiveEvent[]) => void) {
  const handler = useRef(onEvents);
  useEffect(() => {
    handler.current = onEvents;
  });
  const key = names.join(' ');
  useEffect(() => {
    const wanted = new Set(key.split(' '));
    const abort = new AbortController();
    void (async () => {
      let lastId: string | undefined;
      const token = session.token();
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
            const chunks = buffer.split('\n\n');
            buffer = chunks.pop() ?? '';
            const heard: LiveEvent[] = [];
            for (const chunk of chunks) {
              const lines = chunk.split('\n');
              const id = lines.find((l) => l.startsWith('id: '));
              if (id !== undefined) lastId = id.slice(4);
              const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
              const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
              if (event === undefined || !wanted.has(event)) continue;
              try {
                heard.push({
                  event,
                  data: data === undefined ? null : (JSON.parse(data) as unknown),
                });
              } catch {
                heard.push({ event, data: null });
              }
            }
            if (heard.length > 0 && session.token() === token) handler.current(heard);
          }
        } catch {
          // Aborted on leaving the page, or the stream broke: the page still works without it.
          if (abort.signal.aborted) return;
        }
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
      }
    })();
    return () => abort.abort();
  }, [key]);
}
