/**
 * The server engine: a PostgreSQL server given by URL. Each session is its own pooled connection,
 * so statements really run concurrently, and a running statement can be cancelled.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { describeFields, parseTextCell, SESSION_SETTINGS, TypeNames } from './cells';
import type { Cell, Engine, EngineSession, QueryOutcome } from './engine';

/** Enough for Redshift's own concurrency (50 queries per queue) plus metadata calls. */
const MAX_CONNECTIONS = 60;

/** Values come back as the port's Cells, never as JS Dates or strings for integers. */
const cellTypes = {
  getTypeParser: (oid: number) => (text: string | Buffer) => parseTextCell(oid, String(text)),
};

/** Settings given at connection start-up are also what DISCARD ALL returns to. */
function startupOptions(): string {
  const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
  return SESSION_SETTINGS.map(([name, value]) => `-c ${name}=${escape(value)}`).join(' ');
}

export class PostgresEngine implements Engine {
  readonly kind = 'postgres';

  private constructor(
    private pool: pg.Pool,
    private readonly databaseUrl: string,
    private readonly typeNames: TypeNames,
  ) {}

  static async create(options: { databaseUrl: string }): Promise<PostgresEngine> {
    const pool = createPool(options.databaseUrl);
    try {
      const typeNames = new TypeNames();
      await typeNames.load((sql) => pool.query({ text: sql, rowMode: 'array' }));
      return new PostgresEngine(pool, options.databaseUrl, typeNames);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async openSession(): Promise<EngineSession> {
    const client = await this.pool.connect();
    return new PostgresSession(client, this.typeNames, this.databaseUrl);
  }

  async restart(): Promise<void> {
    const old = this.pool;
    this.pool = createPool(this.databaseUrl);
    await old.end();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function createPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: MAX_CONNECTIONS, options: startupOptions(), types: cellTypes });
  // An idle pooled connection the server drops (restart, DROP DATABASE … FORCE) must not crash the process.
  pool.on('error', (error) => console.error('PostgreSQL engine: an idle connection failed:', error.message));
  return pool;
}

class PostgresSession implements EngineSession {
  readonly pid: number;
  private released = false;
  /** A cancel on its way to the server; release waits for it so it cannot hit the connection's next user. */
  private cancelling?: Promise<boolean>;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly typeNames: TypeNames,
    private readonly databaseUrl: string,
  ) {
    // node-postgres keeps the BackendKeyData process id on the client; it is not in the typings.
    this.pid = (client as unknown as { processID: number }).processID;
  }

  async query(sql: string, params?: readonly unknown[]): Promise<QueryOutcome> {
    this.assertOpen();
    const result = await this.run(sql, params ?? []);
    return {
      command: result.command ?? '',
      rowCount: result.rowCount ?? null,
      fields: await describeFields(result.fields, this.typeNames, (lookupSql, lookupParams) => this.run(lookupSql, lookupParams)),
      rows: result.rows,
    };
  }

  async copyFrom(copySql: string, data: AsyncIterable<string | Uint8Array>): Promise<number> {
    this.assertOpen();
    const sink = this.client.query(copyFromStdin(copySql));
    await pipeline(Readable.from(data, { objectMode: false }), sink);
    return sink.rowCount;
  }

  cancel(): Promise<boolean> {
    if (this.released) return Promise.resolve(false);
    this.cancelling = this.cancelRunningStatement();
    return this.cancelling;
  }

  /** Cancels from a connection of its own: this one is busy with the statement being cancelled. */
  private async cancelRunningStatement(): Promise<boolean> {
    const canceller = new pg.Client({ connectionString: this.databaseUrl });
    await canceller.connect();
    try {
      const { rows } = await canceller.query<{ cancelled: boolean }>('select pg_cancel_backend($1) as cancelled', [this.pid]);
      return rows[0].cancelled;
    } finally {
      await canceller.end();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.cancelling?.catch(() => undefined);
    try {
      // Like a new Redshift session per statement: no settings, temp tables or transaction carried over.
      await this.client.query('rollback');
      await this.client.query('discard all');
      this.client.release();
    } catch (error) {
      this.client.release(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private run(sql: string, params: readonly unknown[]): Promise<pg.QueryResult<Cell[]>> {
    return this.client.query<Cell[]>({ text: sql, values: params as unknown[], rowMode: 'array' });
  }

  private assertOpen(): void {
    if (this.released) throw new Error('This engine session has been released.');
  }
}
