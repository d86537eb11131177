// The entry of the Parquet worker thread: it registers tsx, so that the worker, which Node
// starts without the main thread's loaders, can import the TypeScript decoder.
import { register } from 'tsx/esm/api';

register();
await import('./parquet-worker.ts');
