/**
 * The parse workers COPY hands segments to, shared by every COPY in the process. They start on first
 * use and are referenced only while they hold work, so an idle pool never keeps the process alive. A worker that dies fails the
 * segments it held and is replaced on the next use.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start-worker';
import type { SegmentReply, SegmentTask } from './parse-worker';
import type { SegmentOutcome } from './segments';

/** A segment's outcome as a worker returns it: the COPY text arrives as a plain Uint8Array. */
export type WorkerOutcome = Omit<SegmentOutcome, 'text'> & { text: Uint8Array };

interface Waiter {
  resolve: (outcome: WorkerOutcome) => void;
  reject: (error: Error) => void;
}

class ParseWorker {
  readonly pending = new Map<number, Waiter>();
  dead = false;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (reply: SegmentReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiter.resolve({ text: reply.text, rejections: reply.rejections, end: reply.end });
      else waiter.reject(new Error(`A COPY parse worker failed: ${reply.message}`));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`A COPY parse worker stopped (exit code ${code}).`)));
  }

  run(task: SegmentTask): Promise<WorkerOutcome> {
    return new Promise((resolve, reject) => {
      // Referenced while it holds work, so the process waits for the outcome.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(task.id, { resolve, reject });
      // The segment's bytes move to the worker; the caller does not read them again.
      this.worker.postMessage(task, [task.bytes.buffer as ArrayBuffer]);
    });
  }

  private fail(error: Error): void {
    this.dead = true;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

export class ParsePool {
  private readonly workers: ParseWorker[] = [];
  private nextTaskId = 1;

  constructor(readonly size: number) {}

  run(task: Omit<SegmentTask, 'id'>): Promise<WorkerOutcome> {
    return this.leastBusy().run({ ...task, id: this.nextTaskId++ });
  }

  private leastBusy(): ParseWorker {
    for (let i = this.workers.length - 1; i >= 0; i--) if (this.workers[i].dead) this.workers.splice(i, 1);
    if (this.workers.length < this.size) {
      const worker = new ParseWorker(startWorker(__filename, 'parse-worker', null));
      this.workers.push(worker);
      return worker;
    }
    return this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }
}

const pools = new Map<number, ParsePool>();

/** The process's pool of `size` workers. */
export function parsePool(size: number): ParsePool {
  let pool = pools.get(size);
  if (!pool) pools.set(size, (pool = new ParsePool(size)));
  return pool;
}

/**
 * Parse workers for a COPY into an engine of this kind; SPARKIFY_COPY_WORKERS overrides. A server engine
 * gets one per core, at most 4 (beyond that its own COPY is the limit). PGlite runs its COPY on a
 * thread of this process, so the COPY's own thread and PGlite's already fill two cores: it gets the
 * cores beyond those (none on a 2-core machine, where workers only cost memory; see docs/offline.md).
 */
export function defaultParseWorkers(engine: 'pglite' | 'postgres' = 'postgres'): number {
  const configured = process.env.SPARKIFY_COPY_WORKERS;
  if (configured !== undefined) {
    if (!/^\d{1,2}$/.test(configured)) throw new Error(`SPARKIFY_COPY_WORKERS must be a whole number of parse workers (0: parse on the COPY's own thread), not '${configured}'`);
    return Number(configured);
  }
  const cores = os.availableParallelism();
  return engine === 'pglite' ? Math.min(4, Math.max(0, cores - 2)) : Math.min(4, cores);
}
