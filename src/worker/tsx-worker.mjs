// A pool's worker thread started from source: tsx's hooks are registered in this thread
// before the TypeScript module is loaded (a thread does not get them from --import alone).
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
const target = await import(workerData.sourceModule);
export default target.default;
