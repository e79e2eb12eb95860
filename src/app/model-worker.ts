// Worker thread entry for training the learned risk model (see bounded-worker.ts): trains on the
// examples it is sent, off the main event loop. A job the data cannot train (no findings, say)
// is answered as refused, with the reason.
import { parentPort } from 'node:worker_threads';
import { trainRiskModel, type TrainingJob } from '../core/model/train-risk-model.js';

const port = parentPort;
if (!port) throw new Error('model-worker runs as a worker thread');
port.on('message', (job: TrainingJob) => {
  try {
    port.postMessage({ ok: true, value: trainRiskModel(job) });
  } catch (e) {
    if (e instanceof RangeError) port.postMessage({ ok: true, value: { refused: e.message } });
    else port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
