/**
 * The embedded engine: PostgreSQL compiled to WASM in a data directory, running on a worker thread (see
 * pglite-worker.ts) so the process stays responsive while a statement runs. PGlite has one connection,
 * so sessions take turns: `openSession()` waits for an exclusive lock, the way statements queue on a
 * busy cluster. WASM cannot be interrupted, so cancelling a running statement terminates the worker
 * and starts a new one on the same directory: PostgreSQL recovers what was committed, as after a crash.
 * That is why PGlite always runs on disk: without a data directory it gets a temporary one, removed at
 * close (it costs no measurable time; see docs/emulator.md). A new directory is a copy of a template
 * (pglite-template.ts), not the work of initdb.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start-worker';
import { describeFields, TypeNames } from './cells';
import { lockDataDir } from './data-dir-lock';
import { seedDataDir } from './pglite-template';
import type { Engine, EngineSession, QueryOutcome } from './engine';
import { ExclusiveLock } from './exclusive-lock';
import type { PgliteReady, PgliteReply, PgliteRequest, PgliteWorkerData, RawResult } from './pglite-worker';

/** COPY input goes to PGlite in blobs of about this size, each ending on a line boundary. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;
/** Blobs handed to PGlite and not yet loaded: the next waits while one loads. */
const COPY_PARTS_IN_FLIGHT = 2;

type RequestBody = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** An error from the engine, carrying PostgreSQL's fields as node-postgres errors do. */
export class PgliteError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** PostgreSQL's own errors for a cancelled query and for a connection ended by a restart. */
const cancelled = () => Object.assign(new PgliteError('canceling statement due to user request'), { code: '57014' });
const terminated = () => Object.assign(new PgliteError('terminating connection due to administrator command'), { code: '57P01' });

export class PgliteEngine implements Engine {
  readonly kind = 'pglite';
  private readonly lock = new ExclusiveLock();
  private readonly typeNames = new TypeNames();
  /** Settles once the worker replacing a terminated one is ready; requests wait for it. */
  private replacing: Promise<void> = Promise.resolve();

  private constructor(
    private worker: PgliteWorker,
    /** The directory it runs on: the one given, or its temporary one. */
    readonly dataDir: string,
    private readonly releaseDataDir: () => Promise<void>,
  ) {}

  /** `dataDir` keeps the warehouse between runs (created if missing); without it the warehouse lasts until close. */
  static async create(options: { dataDir?: string } = {}): Promise<PgliteEngine> {
    let dataDir: string;
    let releaseDataDir: () => Promise<void>;
    if (options.dataDir) {
      dataDir = options.dataDir;
      await mkdir(dataDir, { recursive: true });
      releaseDataDir = await lockDataDir(dataDir);
    } else {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sparkify-pglite-'));
      releaseDataDir = () => rm(dataDir, { recursive: true, force: true });
    }
    try {
      await seedDataDir(dataDir);
      const engine = new PgliteEngine(await PgliteWorker.start(dataDir), dataDir, releaseDataDir);
      await engine.typeNames.load(async (sql) => engine.query(sql, []));
      return engine;
    } catch (error) {
      await releaseDataDir();
      throw error;
    }
  }

  get backendPid(): number {
    return this.worker.pid;
  }

  async openSession(): Promise<EngineSession> {
    const unlock = await this.lock.acquire();
    return new PgliteSession(this, unlock);
  }

  /** Work in flight fails as PostgreSQL fails it on a restart; committed data stays. */
  async restart(): Promise<void> {
    await this.replaceWorker(terminated());
  }

  async close(): Promise<void> {
    await this.lock.acquire();
    try {
      await this.replacing.catch(() => undefined);
      await this.worker.close();
    } finally {
      await this.releaseDataDir();
    }
  }

  /** @internal for PgliteSession: stops the running statement, which fails with `reason`. */
  replaceWorker(reason: Error): Promise<void> {
    this.replacing = this.replacing
      .catch(() => undefined)
      .then(async () => {
        await this.worker.terminate(reason);
        this.worker = await PgliteWorker.start(this.dataDir);
      });
    return this.replacing;
  }

  /** @internal for PgliteSession, which holds the lock */
  async query(sql: string, params: readonly unknown[]): Promise<RawResult> {
    return (await this.request({ op: 'query', sql, params: [...params] })) as RawResult;
  }

  /** @internal */
  async outcome(raw: RawResult): Promise<QueryOutcome> {
    return {
      command: raw.command,
      rowCount: raw.rowCount,
      fields: await describeFields(raw.fields, this.typeNames, (sql, params) => this.query(sql, params)),
      rows: raw.rows,
    };
  }

  /** @internal */
  async copyPart(sql: string, bytes: Uint8Array): Promise<number> {
    return (await this.request({ op: 'copy', sql, bytes }, [bytes.buffer as ArrayBuffer])) as number;
  }

  /** @internal */
  async reset(): Promise<void> {
    await this.request({ op: 'reset' });
  }

  private async request(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    await this.replacing;
    return this.worker.request(body, transfer);
  }
}

/** One worker thread running PGlite on a data directory, and the requests waiting for its replies. */
class PgliteWorker {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextRequestId = 1;
  private exitError?: Error;

  private constructor(
    private readonly worker: Worker,
    readonly pid: number,
  ) {
    worker.on('message', (reply: PgliteReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(Object.assign(new PgliteError(reply.error.message), reply.error));
    });
    worker.on('exit', (code) => this.failPending(new Error(`The PGlite worker stopped (exit code ${code}).`)));
    worker.on('error', (error) => this.failPending(error));
  }

  static async start(dataDir: string): Promise<PgliteWorker> {
    const worker = startWorker(__filename, 'pglite-worker', { dataDir } satisfies PgliteWorkerData);
    const ready = await new Promise<PgliteReady>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: PgliteReady | { ready: false; message: string }) => {
        if (message.ready) resolve(message);
        else reject(new Error(`PGlite could not start: ${message.message}`));
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new PgliteWorker(worker, ready.pid);
  }

  /** `transfer`: memory that moves to the worker with the request instead of being copied. */
  request(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as PgliteRequest, transfer);
    });
  }

  /** Stops the thread at once, even inside WASM; what it was running fails with `reason`. */
  async terminate(reason: Error): Promise<void> {
    this.failPending(reason);
    await this.worker.terminate();
  }

  async close(): Promise<void> {
    if (!this.exitError) await this.request({ op: 'close' });
    await this.worker.terminate();
  }

  private failPending(error: Error): void {
    this.exitError ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

class PgliteSession implements EngineSession {
  readonly pid: number;
  private released = false;

  constructor(
    private readonly engine: PgliteEngine,
    private readonly unlock: () => void,
  ) {
    this.pid = engine.backendPid;
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<QueryOutcome> {
    this.assertOpen();
    return this.engine.outcome(await this.engine.query(sql, params));
  }

  async copyFrom(copySql: string, data: AsyncIterable<string | Uint8Array>): Promise<number> {
    this.assertOpen();
    const blobSql = copyFromBlob(copySql);
    let rowsLoaded = 0;
    // Parts already sent: the engine works through one while the next is prepared and queued.
    const inFlight: Promise<number>[] = [];
    const send = async (parts: (string | Uint8Array)[], bytes: number) => {
      // One buffer of its own, moved to the worker: no copy left behind here for the collector.
      const blob = Buffer.allocUnsafeSlow(bytes);
      let at = 0;
      for (const chunk of parts) {
        if (typeof chunk === 'string') {
          at += blob.write(chunk, at);
        } else {
          blob.set(chunk, at);
          at += chunk.byteLength;
        }
      }
      const part = this.engine.copyPart(blobSql, blob);
      part.catch(() => undefined); // awaited below; a failure surfaces there
      inFlight.push(part);
      if (inFlight.length >= COPY_PARTS_IN_FLIGHT) rowsLoaded += await inFlight.shift()!;
    };
    let parts: (string | Uint8Array)[] = [];
    let partBytes = 0;
    try {
      for await (const chunk of data) {
        parts.push(chunk);
        partBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        if (partBytes >= COPY_CHUNK_BYTES) {
          await send(parts, partBytes);
          parts = [];
          partBytes = 0;
        }
      }
      if (partBytes > 0) await send(parts, partBytes);
    } finally {
      // Every part sent is settled before the session moves on, also when the input failed.
      const settled = await Promise.allSettled(inFlight);
      for (const outcome of settled) {
        if (outcome.status === 'rejected') throw outcome.reason;
        rowsLoaded += outcome.value;
      }
    }
    return rowsLoaded;
  }

  /** The session stays usable, on a new worker: its transaction, temp tables and settings are gone. */
  async cancel(): Promise<boolean> {
    if (this.released) return false;
    await this.engine.replaceWorker(cancelled());
    return true;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.engine.reset();
    } finally {
      this.unlock();
    }
  }

  private assertOpen(): void {
    if (this.released) throw new Error('This engine session has been released.');
  }
}

/** `COPY t (cols) FROM STDIN …` → the same COPY reading the blob PGlite is handed. */
function copyFromBlob(copySql: string): string {
  // Only the last FROM STDIN outside any quotes is the source clause.
  const blobSql = copySql.replace(/\bFROM\s+STDIN\b(?=[^'"]*$)/i, "FROM '/dev/blob'");
  if (blobSql === copySql) throw new Error(`copyFrom expects "COPY … FROM STDIN", got: ${copySql}`);
  return blobSql;
}
