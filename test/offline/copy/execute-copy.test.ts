/**
 * executeCopy called directly on an engine session, for what the Data API does not show: the chunks the
 * engine receives, cancellation between chunks, and the error rows handed back to the caller.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CopyFailedError, ensureLoadErrorTables, executeCopy, type CopyContext } from '../../../src/offline/copy';
import { COPY_CHUNK_CHARS } from '../../../src/offline/copy/pg-text';
import type { Engine, EngineSession } from '../../../src/offline/engines';
import { FolderObjectStore } from '../../../src/offline/s3/object-store';
import { ENGINE_KINDS, createTestEngine } from '../../support/engines';

const FILES = 4;
const ROWS_PER_FILE = 5000;

describe.each(ENGINE_KINDS)('executeCopy on a %s session', (kind) => {
  let root: string;
  let engine: Engine;
  let dispose: () => Promise<void>;
  let session: EngineSession;
  let store: FolderObjectStore;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'execute-copy-'));
    await mkdir(path.join(root, 'data', 'events'), { recursive: true });
    for (let f = 0; f < FILES; f++) {
      const lines = Array.from({ length: ROWS_PER_FILE }, (_, i) => JSON.stringify({ id: f * ROWS_PER_FILE + i, note: `row ${i} of file ${f}` }));
      await writeFile(path.join(root, 'data', 'events', `part-${f}.json`), lines.join('\n'));
    }
    await writeFile(path.join(root, 'data', 'bad.json'), '{"id": 1}\n{"id": "one"}\n{"id": 2}');
    store = new FolderObjectStore({ root });
    ({ engine, dispose } = await createTestEngine(kind));
    session = await engine.openSession();
    await ensureLoadErrorTables(session);
    await session.query('CREATE TABLE events (id integer, note varchar(64))');
  });

  afterAll(async () => {
    await session?.release();
    await dispose?.();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(() => session.query('TRUNCATE events'));

  const context = (overrides: Partial<CopyContext> = {}): CopyContext => ({
    session, objectStore: store, signal: new AbortController().signal, queryId: 42, database: 'dev', userName: 'awsuser', ...overrides,
  });

  async function count(): Promise<number> {
    return Number((await session.query('SELECT count(*) FROM events')).rows[0][0]);
  }

  it('feeds the engine in bounded chunks that end on line boundaries', async () => {
    const chunks: string[] = [];
    const watched: EngineSession = Object.create(session);
    watched.copyFrom = async (sql, data) => {
      async function* observe() {
        for await (const chunk of data) {
          chunks.push(String(chunk));
          yield chunk;
        }
      }
      return session.copyFrom(sql, observe());
    };
    const outcome = await executeCopy("COPY events FROM 's3://data/events/' FORMAT AS JSON 'auto'", context({ session: watched }));
    expect(outcome).toEqual({ rowsLoaded: FILES * ROWS_PER_FILE, loadErrors: [] });
    expect(await count()).toBe(FILES * ROWS_PER_FILE);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(COPY_CHUNK_CHARS + 100);
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
  });

  it('stops between chunks when the signal aborts, and the rolled-back transaction keeps nothing', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const watched: EngineSession = Object.create(session);
    watched.copyFrom = async (sql, data) => {
      async function* abortAfterFirst() {
        for await (const chunk of data) {
          chunks++;
          controller.abort();
          yield chunk;
        }
      }
      return session.copyFrom(sql, abortAfterFirst());
    };
    await session.query('BEGIN');
    await expect(
      executeCopy("COPY events FROM 's3://data/events/' FORMAT AS JSON 'auto'", context({ session: watched, signal: controller.signal })),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await session.query('ROLLBACK');
    expect(chunks).toBe(1); // each file is one chunk here; the abort came after the first
    expect(await count()).toBe(0);
  });

  it('hands back the rejected records, under MAXERROR as the outcome (also under NOLOAD) and over it on the error', async () => {
    const under = await executeCopy("COPY events (id) FROM 's3://data/bad.json' FORMAT AS JSON 'auto' MAXERROR 1", context());
    expect(under.rowsLoaded).toBe(2);
    expect(under.loadErrors).toHaveLength(1);
    expect(under.loadErrors[0]).toMatchObject({
      queryId: 42, databaseName: 'dev', fileName: 's3://data/bad.json', lineNumber: 2, columnName: 'id', columnType: 'int4',
      rawLine: '{"id": "one"}', rawFieldValue: 'one', errorCode: 1207, errorMessage: "Invalid digit, Value 'o', Pos 0, Type: Integer",
      sessionId: session.pid,
    });
    const checked = await executeCopy("COPY events (id) FROM 's3://data/bad.json' FORMAT AS JSON 'auto' MAXERROR 1 NOLOAD", context());
    expect(checked.rowsLoaded).toBe(0);
    expect(checked.loadErrors.map((e) => e.lineNumber)).toEqual([2]);
    expect(await count()).toBe(2);
    const over = executeCopy("COPY events (id) FROM 's3://data/bad.json' FORMAT AS JSON 'auto'", context());
    await expect(over).rejects.toBeInstanceOf(CopyFailedError);
    await expect(over).rejects.toMatchObject({
      message: "Load into table 'events' failed. Check 'sys_load_error_detail' system table for details.",
      loadErrors: [expect.objectContaining({ lineNumber: 2, errorCode: 1207 })],
    });
  });
});
