/**
 * The port in front of the PostgreSQL engines the offline Redshift runs on.
 * One implementation per engine (embedded PGlite, a PostgreSQL server by URL); the emulator and the
 * COPY loader only ever see these types.
 */

/** A result column, described the way the Data API's ColumnMetadata needs it. */
export interface ColumnInfo {
  name: string;
  /** PostgreSQL type name as in pg_type.typname: int4, int8, varchar, numeric, timestamp, … */
  typeName: string;
  /** Table and schema the column comes from, when it comes straight from one. */
  tableName?: string;
  schemaName?: string;
  /** Declared length for varchar/char, precision and scale for numeric, from the type modifier. */
  length?: number;
  precision?: number;
  scale?: number;
}

/**
 * A cell, normalised across engines:
 * int2/int4/int8 → number; float4/float8 → number; numeric → string; bool → boolean;
 * bytea → Uint8Array; NULL → null; everything else (date, timestamp, varchar, …) → PostgreSQL's text output.
 */
export type Cell = null | boolean | number | string | Uint8Array;

export interface QueryOutcome {
  /** Command tag word: SELECT, INSERT, UPDATE, DELETE, CREATE, COPY, MERGE, … */
  command: string;
  /** Rows returned (for SELECT) or affected (INSERT/UPDATE/DELETE/MERGE/COPY); null when not applicable. */
  rowCount: number | null;
  fields: ColumnInfo[];
  rows: Cell[][];
}

/** One database session: a connection that a statement, a batch or a Data API session holds. */
export interface EngineSession {
  /** Backend process id, reported as RedshiftPid. */
  readonly pid: number;
  /** Runs one SQL statement. `params` bind to $1, $2, … and are sent untyped, so PostgreSQL infers them. */
  query(sql: string, params?: readonly unknown[]): Promise<QueryOutcome>;
  /**
   * Bulk-loads rows through the engine's own COPY. `copySql` is `COPY t (cols) FROM STDIN` in text
   * format; `data` yields chunks that each end on a line boundary. Resolves to the rows loaded.
   */
  copyFrom(copySql: string, data: AsyncIterable<string | Uint8Array>): Promise<number>;
  /**
   * Stops what runs on this session: its query fails with PostgreSQL's "canceling statement due to user
   * request". False when the session has been released.
   */
  cancel(): Promise<boolean>;
  /** Gives the connection back. A session must not be used after release. */
  release(): Promise<void>;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Opens a session; on an engine with one connection, waits until no other session holds it. */
  openSession(): Promise<EngineSession>;
  /**
   * Closes every connection and reconnects to the same data, as after a warehouse restart: what was
   * committed stays. Release every session first (on PGlite, a query still running fails).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type EngineKind = 'pglite' | 'postgres';
