// Runs the TypeScript worker when GreenLane runs from source (tests, `npm run greenlane`):
// worker threads do not inherit the tsx loader, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
