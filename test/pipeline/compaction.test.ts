/**
 * Song compaction: which objects may be folded, how parts are sized, and, against the emulator (its S3 API
 * through the real @aws-sdk/client-s3, its COPY through the Data API), that COPY of the compacted manifest
 * stages exactly what COPY of the prefix stages, that a malformed object is left out and still reported by
 * its own file and line, and that a rerun rewrites the same objects.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { compactSongs } from '../../src/pipeline/compact-songs';
import { foldableRecords, manifestText, partCount, partStarts } from '../../src/pipeline/compaction';
import { loadConfig, type PipelineConfig } from '../../src/pipeline/config';
import { waitForStatement } from '../../src/pipeline/poll';
import { planRun, runIdOf, type RunPlan } from '../../src/pipeline/run-input';
import { stageSubmission } from '../../src/pipeline/stages';
import { submitStatement } from '../../src/redshift/data-api';
import type { GeneratedDataset } from '../../src/datagen';
import { writeTestDataset } from '../support/dataset';
import { runSql, startTestEmulator, type TestEmulator } from '../support/engines';
import { loadHandlers, setHandlerEnvironment, testContext, type Handlers } from './support/handlers';
import { OFFLINE_ENV } from './support/pipeline-sql';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('foldableRecords', () => {
  test('one line per JSON object, its text kept; newlines between tokens become spaces', () => {
    expect(foldableRecords(bytes('{"song_id": "S1", "title": "a } \\" {"}\n'))).toEqual(['{"song_id": "S1", "title": "a } \\" {"}']);
    expect(foldableRecords(bytes('{\r\n  "a": [1, {"b": 2}],\n  "c": 1.50\n}\n\n{"d": null}{"e": "x"}'))).toEqual([
      '{    "a": [1, {"b": 2}],   "c": 1.50 }', '{"d": null}', '{"e": "x"}',
    ]);
    expect(foldableRecords(bytes(''))).toEqual([]);
    expect(foldableRecords(bytes(' \n'))).toEqual([]);
  });

  test.each([
    ['truncated', '{"song_id": "S1", "title": '],
    ['not JSON', '{song_id: S1}'],
    ['a top-level array', '[{"song_id": "S1"}]'],
    ['text after the object', '{"song_id": "S1"} trailing'],
    ['a byte-order mark', '\ufeff{"song_id": "S1"}'],
    ['a raw newline inside a string', '{"title": "a\nb"}'],
  ])('leaves out %s', (_, text) => {
    expect(foldableRecords(bytes(text))).toBeNull();
  });

  test('leaves out bytes that are not UTF-8', () => {
    expect(foldableRecords(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toBeNull();
  });
});

describe('part sizes', () => {
  test('about the target size each, a multiple of the slices, never more parts than records', () => {
    expect(partCount(0, 0, 100, 4)).toBe(0);
    expect(partCount(10, 5, 100, 4)).toBe(4);
    expect(partCount(10, 3, 100, 4)).toBe(3);
    expect(partCount(1000, 500, 100, 4)).toBe(12);
    expect(partCount(1000, 500, 100, 1)).toBe(10);
  });

  test('contiguous runs of about equal bytes, in order', () => {
    const lines = Array.from({ length: 100 }, (_, i) => 90 + (i % 20));
    const starts = partStarts(lines, 4);
    expect(starts[0]).toBe(0);
    expect(starts).toHaveLength(4);
    const sizes = starts.map((start, i) => lines.slice(start, starts[i + 1] ?? lines.length).reduce((a, b) => a + b, 0));
    const total = lines.reduce((a, b) => a + b, 0);
    for (const size of sizes) expect(Math.abs(size - total / 4)).toBeLessThan(120);
    // One line larger than the rest: no empty part, no part split twice.
    expect(partStarts([10, 1000, 10, 10], 4)).toEqual([0, 2]);
    // Empty objects only: one part, so none is lost.
    expect(partStarts([0, 0, 0], 2)).toEqual([0]);
  });

  test('the manifest lists every entry as mandatory', () => {
    expect(JSON.parse(manifestText(['s3://b/a', 's3://b/c']))).toEqual({ entries: [{ url: 's3://b/a', mandatory: true }, { url: 's3://b/c', mandatory: true }] });
  });
});

describe('on the emulator', () => {
  let tmp: string;
  let bucket: string;
  let staging: string;
  let dataset: GeneratedDataset;
  let emulator: TestEmulator;
  let s3: S3Client;
  let config: PipelineConfig;

  const COMPACTED = 's3://sparkify-staging/compacted_songs';
  const STAGING_COLUMNS = 'num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, song_id, title, duration, year';
  const planFor = (compact: boolean, executionId = 'execution-1'): RunPlan => planRun({ compactSongs: compact }, executionId, { compactionConfigured: true }).plan;

  /**
   * Runs stageSongs as the state machine would, and returns what it staged and built (in the run's own
   * tables, so a plain and a compacted run compare only when their plans have different run ids), and the
   * COPY's errors.
   */
  async function stageSongs(plan: RunPlan) {
    const before = Number((await runSql(emulator.client, 'SELECT COUNT(*) AS n FROM sys_load_error_detail')).rows[0].n);
    const statementId = await submitStatement(emulator.client, config.target, stageSubmission('stageSongs', config, { plan }));
    await waitForStatement(emulator.client, 'stageSongs', statementId);
    const rows = async (sql: string) => (await runSql(emulator.client, sql)).rows;
    return {
      staged: await rows(`SELECT ${STAGING_COLUMNS} FROM staging_songs_${plan.runId} ORDER BY song_id, title`),
      songs: await rows(`SELECT * FROM load_songs_${plan.runId} ORDER BY song_id`),
      artists: await rows(`SELECT * FROM load_artists_${plan.runId} ORDER BY artist_id`),
      errors: (await rows('SELECT file_name, line_number, error_message FROM sys_load_error_detail ORDER BY start_time, line_number')).slice(before),
    };
  }

  /** The source song files, in key order (S3's order of the keys under song_data). */
  async function songFiles(): Promise<string[]> {
    const walk = async (dir: string, key: string): Promise<string[]> => {
      const entries = (await readdir(dir, { withFileTypes: true })).map((e) => ({ e, sortKey: e.name + (e.isDirectory() ? '/' : '') }));
      entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
      const out: string[] = [];
      for (const { e, sortKey } of entries) {
        if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), key + sortKey)));
        else out.push(key + sortKey);
      }
      return out;
    };
    return walk(path.join(bucket, 'song_data'), 'song_data/');
  }

  const compactedFolder = (runId: string) => path.join(staging, 'compacted_songs', runId);

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-compaction-'));
    bucket = path.join(tmp, 'bucket');
    staging = path.join(tmp, 'staging');
    dataset = await writeTestDataset(bucket);
    await mkdir(staging);
    emulator = await startTestEmulator('pglite', { buckets: { 'udacity-dend': bucket, 'sparkify-staging': staging } });
    s3 = new S3Client({ endpoint: emulator.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' }, maxAttempts: 1 });
    // Tiny parts: 4 slices make 4 parts of the test dataset's few KB. MAXERROR lets COPY go on past a bad file.
    config = loadConfig({ ...OFFLINE_ENV, S3_COMPACTED_SONGS: COMPACTED, COMPACT_TARGET_MB: '1', COMPACT_SLICES: '4', SONGS_MAXERROR: '10' });
    const statementId = await submitStatement(emulator.client, config.target, stageSubmission('createTables', config, { plan: planFor(false) }));
    await waitForStatement(emulator.client, 'createTables', statementId);
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    await emulator?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('COPY of the compacted manifest stages exactly the rows COPY of the prefix stages, and builds the same songs and artists', async () => {
    // Another execution id for the plain run: the same one would reuse its ClientToken and get its statement back.
    const plain = await stageSongs(planFor(false, 'execution-1-plain'));
    expect(plain.staged).toHaveLength(dataset.expected.staging_songs);
    expect(plain.songs).toHaveLength(dataset.expected.songs);
    expect(plain.artists).toHaveLength(dataset.expected.artists);

    const result = await compactSongs(s3, config, planFor(true).runId, { concurrency: 8 });
    const files = await songFiles();
    // Some generated files hold more than one song, as some in the real bucket do.
    expect(files.length).toBeLessThan(dataset.expected.staging_songs);
    expect(result).toMatchObject({
      manifest: `${COMPACTED}/${runIdOf('execution-1')}/manifest.json`,
      sourceObjects: files.length, records: dataset.expected.staging_songs, parts: 4, leftOut: 0, leftOutUrls: [],
    });
    const compacted = await stageSongs(planFor(true));
    expect(compacted).toEqual(plain);
    expect(compacted.errors).toEqual([]);
  });

  test('the parts hold every record once, in key order, and the manifest lists them; sources.json maps each line back', async () => {
    const runId = planFor(true).runId;
    const files = await songFiles();
    const sourceLines = await Promise.all(files.map(async (key) => foldableRecords(await readFile(path.join(bucket, key)))!));
    const manifest = JSON.parse(await readFile(path.join(compactedFolder(runId), 'manifest.json'), 'utf8')) as { entries: { url: string; mandatory: boolean }[] };
    expect(manifest.entries.map((entry) => entry.url)).toEqual([0, 1, 2, 3].map((i) => `${COMPACTED}/${runId}/part-0000${i}.json`));
    const partTexts = await Promise.all(manifest.entries.map((entry) => readFile(path.join(compactedFolder(runId), path.basename(entry.url)), 'utf8')));
    expect(partTexts.join('')).toBe(sourceLines.flat().map((line) => `${line}\n`).join(''));
    // About equal sizes.
    const sizes = partTexts.map((text) => Buffer.byteLength(text));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(1000);
    const sources = JSON.parse(await readFile(path.join(compactedFolder(runId), 'sources.json'), 'utf8')) as { parts: { url: string; lines: [string, number][] }[] };
    expect(sources.parts.flatMap((part) => part.lines)).toEqual(
      files.flatMap((key, i) => sourceLines[i].map((_, line) => [`s3://udacity-dend/${key}`, line + 1])));
  });

  test('a malformed song object is left out of compaction and listed by its own URL: its load error still names its file and line', async () => {
    const badKey = 'song_data/B/Z/Z/TRBZZZZ128F4000000.json';
    await mkdir(path.dirname(path.join(bucket, badKey)), { recursive: true });
    // Two good records, then one cut short: COPY rejects line 3 of this file.
    await writeFile(path.join(bucket, badKey), '{"song_id": "SOBAD01", "num_songs": 1}\n{"song_id": "SOBAD02", "num_songs": 1}\n{"song_id": "SOBAD03", "title": ');
    try {
      const plain = await stageSongs(planFor(false, 'execution-2-plain'));
      expect(plain.errors).toEqual([expect.objectContaining({ file_name: `s3://udacity-dend/${badKey}`, line_number: 3 })]);

      const result = await compactSongs(s3, config, planFor(true, 'execution-2').runId);
      expect(result).toMatchObject({ leftOut: 1, leftOutUrls: [`s3://udacity-dend/${badKey}`], records: dataset.expected.staging_songs });
      const manifest = JSON.parse(await readFile(path.join(compactedFolder(runIdOf('execution-2')), 'manifest.json'), 'utf8'));
      expect(manifest.entries.at(-1)).toEqual({ url: `s3://udacity-dend/${badKey}`, mandatory: true });

      const compacted = await stageSongs(planFor(true, 'execution-2'));
      expect(compacted.errors).toEqual(plain.errors);
      // The bad file's good records are staged too, from the file itself: nothing lost, nothing twice.
      expect(compacted.staged).toEqual(plain.staged);
      expect(compacted.staged).toHaveLength(dataset.expected.staging_songs + 2);
    } finally {
      await rm(path.join(bucket, badKey));
    }
  });

  test('a rerun of the same execution rewrites the same objects; another execution writes its own', async () => {
    const runId = planFor(true).runId;
    const listing = async (id: string) => Object.fromEntries(await Promise.all(
      (await readdir(compactedFolder(id))).sort().map(async (name) => [name, await readFile(path.join(compactedFolder(id), name), 'utf8')] as const)));
    const first = await listing(runId);
    const again = await compactSongs(s3, config, runId);
    expect(again).toMatchObject({ parts: 4, leftOut: 0 });
    expect(await listing(runId)).toEqual(first);
    expect(Object.keys(first).sort()).toEqual(['manifest.json', 'part-00000.json', 'part-00001.json', 'part-00002.json', 'part-00003.json', 'sources.json']);

    const other = planFor(true, 'execution-3').runId;
    await compactSongs(s3, config, other);
    expect(Object.keys(await listing(other))).toEqual(Object.keys(first));
    expect(await listing(runId)).toEqual(first);
    expect((await stageSongs(planFor(true, 'execution-3'))).staged).toHaveLength(dataset.expected.staging_songs);
  });

  test('without S3_COMPACTED_SONGS there is nowhere to write: compaction says so', async () => {
    await expect(compactSongs(s3, loadConfig(OFFLINE_ENV), 'manual')).rejects.toThrow('Song compaction is not configured: S3_COMPACTED_SONGS is not set');
  });

  describe('the Lambdas (functions/compactSongs, planRun, stageSongs), as a person runs them by hand', () => {
    let handlers: Handlers;
    const songCount = async (runId: string) => (await runSql(emulator.client, `SELECT COUNT(*) AS n FROM staging_songs_${runId}`)).rows[0].n;

    afterEach(() => handlers?.client().destroy());

    test('compactSongs then stageSongs with {"run": {"compactSongs": true}} load the songs through the manual manifest', async () => {
      // The S3 client finds the emulator the way the offline runner tells it: AWS_ENDPOINT_URL_S3.
      setHandlerEnvironment(emulator.endpoint, { AWS_ENDPOINT_URL_S3: emulator.endpoint, S3_COMPACTED_SONGS: COMPACTED, COMPACT_SLICES: '2' });
      handlers = await loadHandlers();
      const run = { compactSongs: true };
      const result = await handlers.compactSongs({ run }, testContext);
      expect(result).toMatchObject({ manifest: `${COMPACTED}/manual/manifest.json`, records: dataset.expected.staging_songs, parts: 2, leftOut: 0 });
      expect(await handlers.stageSongs({ run, wait: true }, testContext)).toMatchObject({ status: 'FINISHED' });
      expect(await songCount('manual')).toBe(dataset.expected.staging_songs);
      const planned = await handlers.planRun({ input: run, executionId: 'execution-4' }, testContext);
      expect(planned.plan).toMatchObject({ compactSongs: true, songs: true });
    });

    test('where S3_COMPACTED_SONGS is not set, an input asking for compaction fails at planRun with a clear error', async () => {
      delete process.env.S3_COMPACTED_SONGS;
      setHandlerEnvironment(emulator.endpoint, { AWS_ENDPOINT_URL_S3: emulator.endpoint });
      handlers = await loadHandlers();
      await expect(handlers.planRun({ input: { compactSongs: true }, executionId: 'execution-5' }, testContext)).rejects.toThrow(
        'Invalid execution input: compactSongs: compaction is not configured in this deployment (set the compactedSongs parameter, S3_COMPACTED_SONGS)');
      await expect(handlers.compactSongs({}, testContext)).rejects.toThrow('S3_COMPACTED_SONGS is not set');
      expect((await handlers.planRun({ input: {}, executionId: 'execution-5' }, testContext)).plan.compactSongs).toBe(false);
    });
  });
});
