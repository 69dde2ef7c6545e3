/**
 * The embedded engine: PostgreSQL compiled to WASM, in memory or in a data directory.
 * PGlite has one connection, so sessions take turns: `openSession()` waits for an exclusive lock,
 * the way statements queue on a busy cluster.
 */
import { PGlite, type Results } from '@electric-sql/pglite';
import { describeFields, parseTextCell, SESSION_SETTINGS, TypeNames } from './cells';
import type { Cell, Engine, EngineSession, QueryOutcome } from './engine';
import { ExclusiveLock } from './exclusive-lock';

/** COPY input is handed to PGlite in blobs of about this size, each ending on a line boundary. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

type Parsers = Record<number, (text: string) => Cell>;

export class PgliteEngine implements Engine {
  readonly kind = 'pglite';
  private readonly lock = new ExclusiveLock();

  private constructor(
    private readonly db: PGlite,
    private readonly typeNames: TypeNames,
    private readonly parsers: Parsers,
    private readonly pid: number,
  ) {}

  /** `dataDir` keeps the warehouse between runs; without it the warehouse lives in memory. */
  static async create(options: { dataDir?: string } = {}): Promise<PgliteEngine> {
    const db = await PGlite.create(options.dataDir);
    const typeNames = new TypeNames();
    await typeNames.load((sql) => db.query<unknown[]>(sql, [], { rowMode: 'array' }));
    // Every known type gets the shared text parser; types created later arrive as PGlite's raw text.
    const parsers: Parsers = {};
    for (const oid of typeNames.knownOids()) parsers[oid] = (text) => parseTextCell(oid, text);
    const { rows } = await db.query<[number]>('select pg_backend_pid()', [], { rowMode: 'array' });
    const engine = new PgliteEngine(db, typeNames, parsers, rows[0][0]);
    await engine.applySessionSettings();
    return engine;
  }

  async openSession(): Promise<EngineSession> {
    const unlock = await this.lock.acquire();
    return new PgliteSession(this, unlock);
  }

  async close(): Promise<void> {
    await this.lock.acquire();
    await this.db.close();
  }

  /** @internal used by PgliteSession */
  async run(sql: string, params: readonly unknown[] = [], blob?: Blob): Promise<Results<Cell[]>> {
    return this.db.query<Cell[]>(sql, params as unknown[], { rowMode: 'array', parsers: this.parsers, blob });
  }

  /** @internal */
  async toOutcome(result: Results<Cell[]>): Promise<QueryOutcome> {
    const lookup = (sql: string, params: unknown[]) => this.run(sql, params);
    return {
      command: result.command ?? '',
      rowCount: result.rowCount ?? null,
      fields: await describeFields(result.fields, this.typeNames, lookup),
      rows: result.rows,
    };
  }

  /** @internal the next session must not see this one's settings, temp tables or open transaction. */
  async resetSession(): Promise<void> {
    if (this.db.isInTransaction()) await this.db.query('rollback');
    await this.db.query('discard all');
    await this.applySessionSettings();
  }

  get backendPid(): number {
    return this.pid;
  }

  private async applySessionSettings(): Promise<void> {
    for (const [name, value] of SESSION_SETTINGS) {
      await this.db.query('select pg_catalog.set_config($1, $2, false)', [name, value]);
    }
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

  async query(sql: string, params?: readonly unknown[]): Promise<QueryOutcome> {
    this.assertOpen();
    return this.engine.toOutcome(await this.engine.run(sql, params));
  }

  async copyFrom(copySql: string, data: AsyncIterable<string | Uint8Array>): Promise<number> {
    this.assertOpen();
    const blobSql = copyFromBlob(copySql);
    let rowsLoaded = 0;
    let parts: (string | Uint8Array)[] = [];
    let partBytes = 0;
    const flush = async () => {
      if (partBytes === 0) return;
      const result = await this.engine.run(blobSql, [], new Blob(parts));
      rowsLoaded += result.rowCount ?? 0;
      parts = [];
      partBytes = 0;
    };
    for await (const chunk of data) {
      parts.push(chunk);
      partBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (partBytes >= COPY_CHUNK_BYTES) await flush();
    }
    await flush();
    return rowsLoaded;
  }

  /** WASM cannot be interrupted mid-statement; callers check an AbortSignal between steps instead. */
  async cancel(): Promise<boolean> {
    return false;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.engine.resetSession();
    } finally {
      this.unlock();
    }
  }

  private assertOpen(): void {
    if (this.released) throw new Error('This engine session has been released.');
  }
}

/** `COPY t (cols) FROM STDIN …` → the same COPY reading PGlite's attached blob. */
function copyFromBlob(copySql: string): string {
  // Only the last FROM STDIN outside any quotes is the source clause.
  const blobSql = copySql.replace(/\bFROM\s+STDIN\b(?=[^'"]*$)/i, "FROM '/dev/blob'");
  if (blobSql === copySql) throw new Error(`copyFrom expects "COPY … FROM STDIN", got: ${copySql}`);
  return blobSql;
}
