/**
 * Runs PGlite on a worker thread. PGlite executes SQL synchronously inside WASM, so on the main thread
 * a long statement would freeze the whole process, HTTP server included, and clients could not poll
 * a running statement. Here it blocks only this thread. Protocol: see PgliteRequest / PgliteReply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Results } from '@electric-sql/pglite';
import { parseTextCell, SESSION_SETTINGS } from './cells';
import type { Cell } from './engine';

export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  /** One COPY … FROM '/dev/blob' over the bytes. */
  | { id: number; op: 'copy'; sql: string; bytes: Uint8Array }
  /** Makes the connection a fresh session: no transaction, temp tables or settings left. */
  | { id: number; op: 'reset' }
  | { id: number; op: 'close' };

export interface RawResult {
  command: string;
  rowCount: number | null;
  fields: { name: string; dataTypeID: number }[];
  rows: Cell[][];
}

export type PgliteReply =
  | { id: number; ok: true; value: RawResult | number | null }
  | { id: number; ok: false; error: { message: string; code?: string; detail?: string; hint?: string; position?: string } };

export interface PgliteWorkerData {
  dataDir: string;
}

export interface PgliteReady {
  ready: true;
  pid: number;
}

/**
 * PGlite's default 128 MB of shared buffers makes its WASM memory 189 MB; 16 MB makes it 128 MB. The
 * data directory is on disk, so the operating system's page cache still holds what the buffers do not.
 */
const MEMORY_SETTINGS = [`shared_buffers=${sharedBuffers(process.env.SPARKIFY_PGLITE_SHARED_BUFFERS)}`];

/** SPARKIFY_PGLITE_SHARED_BUFFERS trades memory for speed (128MB: faster COPY, about 60 MB more). */
function sharedBuffers(setting: string | undefined): string {
  if (setting === undefined) return '16MB';
  if (!/^\d{1,6}(kB|MB|GB)$/.test(setting)) throw new Error(`SPARKIFY_PGLITE_SHARED_BUFFERS must be a size like 16MB or 128MB, not '${setting}'`);
  return setting;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const { dataDir } = workerData as PgliteWorkerData;
  const db = await PGlite.create(dataDir, { postgresqlconf: MEMORY_SETTINGS });
  // Every type known now gets the shared text parser; types created later arrive as PGlite's raw text.
  const parsers: Record<number, (text: string) => Cell> = {};
  const types = await db.query<[number]>('select oid::int4 from pg_catalog.pg_type', [], { rowMode: 'array' });
  for (const [oid] of types.rows) parsers[oid] = (text) => parseTextCell(oid, text);

  const applySessionSettings = async () => {
    for (const [name, value] of SESSION_SETTINGS) await db.query('select pg_catalog.set_config($1, $2, false)', [name, value]);
  };
  const toRaw = (result: Results<Cell[]>): RawResult => ({
    command: result.command ?? '',
    rowCount: result.rowCount ?? null,
    fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
    rows: result.rows,
  });

  const handle = async (request: PgliteRequest): Promise<RawResult | number | null> => {
    switch (request.op) {
      case 'query':
        return toRaw(await db.query<Cell[]>(request.sql, request.params, { rowMode: 'array', parsers }));
      case 'copy': {
        const result = await db.query(request.sql, [], { blob: new Blob([request.bytes]) });
        return result.rowCount ?? 0;
      }
      case 'reset':
        if (db.isInTransaction()) await db.query('rollback');
        await db.query('discard all');
        await applySessionSettings();
        return null;
      case 'close':
        await db.close();
        return null;
    }
  };

  await applySessionSettings();
  const { rows } = await db.query<[number]>('select pg_backend_pid()', [], { rowMode: 'array' });
  // Requests arrive one at a time: the main thread's session lock serialises them.
  port.on('message', (request: PgliteRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies PgliteReply),
      (error: Error & { code?: string; detail?: string; hint?: string; position?: string }) =>
        port.postMessage({
          id: request.id,
          ok: false,
          error: { message: error.message, code: error.code, detail: error.detail, hint: error.hint, position: error.position },
        } satisfies PgliteReply),
    );
  });
  port.postMessage({ ready: true, pid: rows[0][0] } satisfies PgliteReady);
}

void main().catch((error: unknown) => {
  // Start-up failed (bad data directory, …): tell the main thread, which rejects create().
  parentPort!.postMessage({ ready: false, message: error instanceof Error ? error.message : String(error) });
});
