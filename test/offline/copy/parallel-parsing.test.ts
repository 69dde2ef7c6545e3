/**
 * Parsing in segments and on worker threads gives exactly what one pass of the record scanner gives:
 * the same rows in the same order and the same load errors, wherever the segments are cut. The input
 * holds every shape that is not one record per line (records over several lines, several per line,
 * broken strings, junk, invalid UTF-8, gzip bytes), so cuts fall inside them.
 */
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CopyFailedError, ensureLoadErrorTables, executeCopy, type CopyContext, type LoadErrorRow, type ParseOptions } from '../../../src/offline/copy';
import { RecordConverter, scanRejection, type ConversionSpec } from '../../../src/offline/copy/record-converter';
import { scanRecords } from '../../../src/offline/copy/record-scanner';
import { convertSegment } from '../../../src/offline/copy/segments';
import type { Engine, EngineSession } from '../../../src/offline/engines';
import { FolderObjectStore } from '../../../src/offline/s3/object-store';
import { createTestEngine } from '../../support/engines';

const record = (i: number) => ({ id: i, name: `song ${i} \t "quoted" ü`, plays: i % 7, ts: 1541105830796 + i, big: '' });

/** Mostly one record per line, with every other shape mixed in at intervals. */
function trickyObject(seed: number, records: number): Buffer {
  const parts: (string | Buffer)[] = [];
  for (let i = 0; i < records; i++) {
    const n = seed * 100_000 + i;
    switch (i % 23) {
      case 3: parts.push(JSON.stringify(record(n), null, 2) + '\n'); break; // over several lines
      case 5: parts.push(`${JSON.stringify(record(n))} ${JSON.stringify(record(n + 50_000))}\n`); break; // two on a line
      case 7: parts.push(`{"id": ${n}, "name": "broken\nstring", "plays": 1}\n  {"id": ${n + 1}}\n`); break;
      case 9: parts.push(`junk here ${n}\n`); break;
      case 11: parts.push(Buffer.concat([Buffer.from(`{"id": ${n}, "name": "bad `), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')])); break;
      case 13: parts.push(`{"id": "not a number ${n}"}\r\n`); break;
      case 15: parts.push(`{"id": ${n}, "name": "${'x'.repeat(80)}"}\n`); break; // longer than varchar(64)
      case 17: parts.push(`{"id": ${n}, "big": 12345678901234567890123}\n`); break; // more digits than a double holds
      case 19: parts.push(`   ${JSON.stringify(record(n))}   \n\n`); break;
      default: parts.push(JSON.stringify(record(n)) + '\n');
    }
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

const SEQUENTIAL: Partial<ParseOptions> = { workers: 0, segmentBytes: Number.MAX_SAFE_INTEGER };
const VARIANTS: [string, Partial<ParseOptions>][] = [
  ['tiny segments on this thread', { workers: 0, segmentBytes: 61 }],
  ['tiny segments on 2 workers', { workers: 2, segmentBytes: 97, minWorkerSegmentBytes: 0 }],
  ['4 KB segments on 2 workers', { workers: 2, segmentBytes: 4096, minWorkerSegmentBytes: 0 }],
  ['4 KB segments on 3 workers, small ones here', { workers: 3, segmentBytes: 4096, minWorkerSegmentBytes: 2048 }],
];

describe('parallel parsing', () => {
  let root: string;
  let engine: Engine;
  let dispose: () => Promise<void>;
  let session: EngineSession;
  let store: FolderObjectStore;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'parallel-parsing-'));
    const dir = path.join(root, 'data', 'in');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a-large.json'), trickyObject(1, 900));
    await writeFile(path.join(dir, 'b-small.json'), trickyObject(2, 5));
    await writeFile(path.join(dir, 'c-no-final-newline.json'), trickyObject(3, 40).toString().trimEnd());
    await writeFile(path.join(dir, 'd-gzipped.json'), gzipSync(trickyObject(4, 200)));
    await writeFile(path.join(dir, 'e-empty.json'), '');
    await writeFile(path.join(dir, 'f-large.json'), trickyObject(5, 700));
    await writeFile(path.join(dir, 'g-ends-open.json'), `${trickyObject(6, 30)}{"id": 1,\n "name": "never closed"`);
    // A line longer than any segment may grow (8 MB): the rest of its object is read in one pass.
    const around = (from: number) => [0, 1, 2].map((i) => JSON.stringify(record(from + i))).join('\n');
    await writeFile(path.join(dir, 'h-long-line.json'), `${around(700_000)}\n{"id": 1, "name": "${'x'.repeat(9 * 1024 * 1024)}"}\n${around(700_010)}\n`);
    store = new FolderObjectStore({ root });
    ({ engine, dispose } = await createTestEngine('pglite'));
    session = await engine.openSession();
    await ensureLoadErrorTables(session);
    await session.query('CREATE TABLE songs (seq serial, id integer, name varchar(64), plays smallint, ts timestamp, big numeric(30,0))');
  });

  afterAll(async () => {
    await session?.release();
    await dispose?.();
    await rm(root, { recursive: true, force: true });
  });

  const COPY_SQL = "COPY songs (id, name, plays, ts, big) FROM 's3://data/in/' FORMAT AS JSON 'auto' TIMEFORMAT 'epochmillisecs' MAXERROR 100000";
  const context = (): CopyContext => ({
    session, objectStore: store, signal: new AbortController().signal, queryId: 7, database: 'dev', userName: 'awsuser',
  });

  /** The rows in load order and the load errors, without what differs between two runs (start time, transaction). */
  async function load(parsing: Partial<ParseOptions>, sql = COPY_SQL): Promise<{ rows: unknown[][]; loadErrors: Omit<LoadErrorRow, 'startTime' | 'transactionId'>[]; rowsLoaded: number }> {
    await session.query('TRUNCATE songs RESTART IDENTITY');
    const outcome = await executeCopy(sql, context(), parsing);
    const { rows } = await session.query('SELECT id, name, plays, ts::text, big::text FROM songs ORDER BY seq');
    return { rows, rowsLoaded: outcome.rowsLoaded, loadErrors: outcome.loadErrors.map(({ startTime: _, transactionId: __, ...rest }) => rest) };
  }

  it('the sequential load sees every shape: rows, and rejections with their places', async () => {
    const { rows, loadErrors, rowsLoaded } = await load(SEQUENTIAL);
    expect(rowsLoaded).toBe(rows.length);
    expect(rows.length).toBe(1396);
    expect(rows[0]).toEqual([100_000, 'song 100000 \t "quoted" ü', 5, '2018-11-01 20:58:50.796', null]); // ts: 1541105930796 ms
    expect(rows).toContainEqual([100_017, null, null, null, '12345678901234567890123']);
    const byFile = (name: string) => loadErrors.filter((e) => e.fileName.endsWith(name));
    expect(byFile('a-large.json').map((e) => e.errorCode)).toEqual(expect.arrayContaining([1216, 1220, 1207, 1204]));
    expect(byFile('d-gzipped.json')).toEqual([expect.objectContaining({ lineNumber: 1, errorCode: 1216, errorMessage: expect.stringContaining('gzip') })]);
    expect(byFile('g-ends-open.json').at(-1)).toMatchObject({ errorCode: 1216, errorMessage: expect.stringContaining('the file ends inside the object') });
    expect(byFile('h-long-line.json')).toEqual([expect.objectContaining({ lineNumber: 4, errorCode: 1216, errorMessage: expect.stringContaining('over the 4 MB limit') })]);
    expect(rows.filter(([id]) => Number(id) >= 700_000)).toHaveLength(6);
    // Line numbers grow within a file.
    const lines = byFile('a-large.json').map((e) => e.lineNumber);
    expect(lines).toEqual([...lines].sort((x, y) => x - y));
  });

  it.each(VARIANTS)('%s: the same rows, order and load errors as one sequential pass', async (_name, parsing) => {
    const expected = await load(SEQUENTIAL);
    const actual = await load(parsing);
    expect(actual.rowsLoaded).toBe(expected.rowsLoaded);
    expect(actual.rows).toEqual(expected.rows);
    expect(actual.loadErrors).toEqual(expected.loadErrors);
  });

  it('over MAXERROR, the COPY fails on the same record with the same errors', async () => {
    const sql = COPY_SQL.replace('MAXERROR 100000', 'MAXERROR 40');
    const failure = async (parsing: Partial<ParseOptions>) => {
      const error = await executeCopy(sql, context(), parsing).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(CopyFailedError);
      return (error as CopyFailedError).loadErrors!.map(({ startTime: _, transactionId: __, ...rest }) => rest);
    };
    const expected = await failure(SEQUENTIAL);
    expect(expected).toHaveLength(41);
    for (const [, parsing] of VARIANTS) expect(await failure(parsing)).toEqual(expected);
  });

  it('a segment converts as the record scanner reads it, line by line or not', async () => {
    const spec: ConversionSpec = {
      columns: [
        { name: 'id', typeName: 'int4', notNull: false },
        { name: 'name', typeName: 'varchar', length: 64, notNull: false },
        { name: 'ts', typeName: 'timestamp', notNull: false },
      ],
      timeFormat: 'epochmillisecs', dateFormat: 'YYYY-MM-DD',
      options: { roundDecimals: false, blanksAsNull: false, emptyAsNull: false, truncateColumns: false, acceptInvChars: null },
      mapping: { mode: 'auto', ignoreCase: false },
      noLoad: false,
    };
    const converter = new RecordConverter(spec);
    const bytes = trickyObject(9, 300);
    let text = '';
    const rejections = [];
    for await (const item of scanRecords((async function* () { yield bytes; })())) {
      const result = item.kind === 'record' ? converter.convertBytes(item.bytes, item) : scanRejection(item);
      if (typeof result === 'string') text += result;
      else rejections.push(result);
    }
    const segment = convertSegment(bytes, { line: 1, offset: 0 }, true, converter, 4 * 1024 * 1024);
    expect(segment.text.toString()).toBe(text);
    expect(segment.rejections).toEqual(rejections);
    expect(segment.end).toBe('between');
  });
});
