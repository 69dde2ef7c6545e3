/**
 * Starts a worker thread from a module next to the caller. Built (.js) it runs the file; from TypeScript
 * sources (tsx, jest) the worker registers tsx itself first.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** `callerFile` is the caller's __filename; the worker module has the same extension in the same folder. */
export function startWorker(callerFile: string, moduleName: string, workerData: unknown): Worker {
  const extension = path.extname(callerFile);
  const workerFile = path.join(path.dirname(callerFile), `${moduleName}${extension}`);
  if (extension === '.js') return new Worker(workerFile, { workerData });
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(workerFile)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}
