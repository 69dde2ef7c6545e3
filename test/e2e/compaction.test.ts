/**
 * The whole state machine offline with {"compactSongs": true}: CompactSongs runs before StageSongs, on
 * the offline defaults (the runner's own sparkify-staging bucket, the emulator's S3 API), and the run
 * loads exactly what the same run without compaction loads. Small on purpose: one dataset, PGlite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import { startOfflineRunner, type OfflineRunner, type RunOutcome } from '../../src/offline/runner';

let tmp: string;
let dataset: GeneratedDataset;
let runner: OfflineRunner;
const progress: string[] = [];

function succeeded(outcome: RunOutcome) {
  if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
  return outcome;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-compaction-e2e-'));
  dataset = await generateDataset({ outDir: path.join(tmp, 'bucket'), songs: 120, users: 10, days: 2, eventsPerDay: 60, seed: 'compaction' });
  runner = await startOfflineRunner({ engine: 'pglite', bucketDir: path.join(tmp, 'bucket'), waitMs: 20, onProgress: (line) => progress.push(line) });
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('a full run with {"compactSongs": true} compacts first and loads the same counts and star rows as without', async () => {
  const plain = succeeded(await runner.run({}));
  const star = async () => ({
    songs: (await runner.warehouse.query('SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY song_id')).rows,
    artists: (await runner.warehouse.query('SELECT artist_id, name, location, latitude, longitude FROM artists ORDER BY artist_id')).rows,
    songplays: (await runner.warehouse.query('SELECT start_time, user_id, song_id, artist_id, session_id, item_in_session FROM songplays ORDER BY 1, 2, 5, 6')).rows,
  });
  const plainStar = await star();
  expect(progress.some((line) => line.includes('CompactSongs'))).toBe(false);

  progress.length = 0;
  const compacted = succeeded(await runner.run({ compactSongs: true }));
  expect(compacted.counts).toEqual(plain.counts);
  expect(compacted.counts).toEqual({ ...dataset.expected, unusable_records: 0, unusable_by_reason: {} });
  expect(await star()).toEqual(plainStar);
  // CompactSongs ran, between CreateTables and StageSongs, and said what it did.
  const compactLine = progress.find((line) => / CompactSongs: \d+ songs from /.test(line));
  expect(compactLine).toMatch(new RegExp(`${dataset.expected.staging_songs} songs from ${dataset.songFiles} objects → 2 parts in `));
  const order = ['CreateTables: started', 'CompactSongs: started', 'StageSongs: started'].map((text) => progress.findIndex((line) => line.endsWith(text)));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(order[0]).toBeGreaterThanOrEqual(0);
}, 120_000);

test('asking for compaction where no songs are staged fails at PlanRun, naming the field', async () => {
  const outcome = await runner.run({ mode: 'incremental', date: '2018-11-01', compactSongs: true });
  expect(outcome.succeeded).toBe(false);
  if (outcome.succeeded) return;
  expect(outcome.failure).toMatchObject({ state: 'PlanRun', error: 'InvalidInput' });
  expect(outcome.failure.cause).toContain('compactSongs: applies only when the run stages songs; add "songs": true');
}, 60_000);
