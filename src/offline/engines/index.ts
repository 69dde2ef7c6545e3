import type { Engine, EngineKind, EngineSession } from './engine';
import { PgliteEngine } from './pglite';
import { PostgresEngine } from './postgres';

export type { Cell, ColumnInfo, Engine, EngineKind, EngineSession, QueryOutcome } from './engine';

export interface EngineOptions {
  kind: EngineKind;
  /** postgres only: the server to run on, e.g. postgres://user:password@127.0.0.1:5432/dev */
  databaseUrl?: string;
  /** pglite only: where to keep the warehouse between runs; a temporary directory, removed at close, when absent. */
  dataDir?: string;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  switch (options.kind) {
    case 'pglite':
      if (options.databaseUrl) throw new Error('A database URL is for the postgres engine; pglite takes a data directory.');
      return PgliteEngine.create({ dataDir: options.dataDir });
    case 'postgres':
      if (!options.databaseUrl) throw new Error('The postgres engine needs a database URL (postgres://user:password@host:port/database).');
      if (options.dataDir) throw new Error('A data directory is for the pglite engine; postgres keeps its data on the server.');
      return PostgresEngine.create({ databaseUrl: options.databaseUrl });
    default:
      throw new Error(`Unknown engine "${String(options.kind)}": expected pglite or postgres.`);
  }
}

/** Runs `work` on a session of its own and releases the session however `work` ends. */
export async function withEngineSession<T>(engine: Engine, work: (session: EngineSession) => Promise<T>): Promise<T> {
  const session = await engine.openSession();
  try {
    return await work(session);
  } finally {
    await session.release();
  }
}
