// A worker for bounded-worker tests: busy for the milliseconds it is sent, then answers them.
import { parentPort } from 'node:worker_threads';

const port = parentPort!;
port.on('message', (spinMs: number) => {
  const end = Date.now() + spinMs;
  while (Date.now() < end) {
    // the event loop of this thread only
  }
  port.postMessage({ ok: true, value: spinMs });
});
port.postMessage({ ready: true });
