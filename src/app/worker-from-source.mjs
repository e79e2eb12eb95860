// Worker entry when GreenLane runs from its TypeScript source (tsx, vitest): registers tsx's
// loader in this worker thread, then loads the worker module named in workerData. The built
// dist/ runs its .js worker modules directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
