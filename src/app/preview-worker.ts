// Worker thread entry for indicator previews (see bounded-worker.ts): screens the declarations
// it is sent with the draft indicator alone, off the main event loop.
import { parentPort } from 'node:worker_threads';
import { screenPreview, type PreviewJob } from './preview-screening.js';

const port = parentPort;
if (!port) throw new Error('preview-worker runs as a worker thread');
port.on('message', (job: PreviewJob) => {
  try {
    port.postMessage({ ok: true, value: screenPreview(job) });
  } catch (e) {
    port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
