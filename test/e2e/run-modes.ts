/**
 * The run modes through the real state machine, on a generated dataset that crosses a year boundary:
 * full, incremental and backfill loads, order independence, checks that keep bad loads unpublished, and
 * overlapping executions. Shared by one test file per engine (one offline runner per process).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import type { EngineKind } from '../../src/offline/engines';
import { startOfflineRunner, type OfflineRunner, type RunOutcome } from '../../src/offline/runner';
import { createTestWarehouse, type TestWarehouse } from '../support/engines';

/** Every column but the surrogate key, so two loads compare by content. */
const CONTENT = {
  songplays: 'start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent',
  users: 'user_id, first_name, last_name, gender, level, last_event_at',
  songs: 'song_id, title, artist_id, year, duration',
  artists: 'artist_id, name, location, latitude, longitude',
  time: 'start_time, hour, day, week, week_start, month, year, weekday',
} as const;
type StarContent = Record<keyof typeof CONTENT, unknown[]>;

const START = '2018-12-28';
const DAYS = ['2018-12-28', '2018-12-29', '2018-12-30', '2018-12-31', '2019-01-01', '2019-01-02'];

function succeeded(outcome: RunOutcome) {
  if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
  return outcome;
}

function failed(outcome: RunOutcome) {
  if (outcome.succeeded) throw new Error(`The run succeeded: ${JSON.stringify(outcome.counts)}`);
  return outcome;
}

/** Deterministic shuffle (a seeded LCG), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function describeRunModes(kind: EngineKind): void {
  describe(`run modes on ${kind}`, () => {
    let tmp: string;
    let bucket: string;
    let dataset: GeneratedDataset;
    let warehouse: TestWarehouse;
    let runner: OfflineRunner;
    /** The star schema after a clean full load: what every other way of loading must give. */
    let fullLoad: StarContent;

    const eventsFile = (day: string) => path.join(bucket, 'log_data', day.slice(0, 4), day.slice(5, 7), `${day}-events.json`);
    const content = async (): Promise<StarContent> => {
      const entries = await Promise.all(Object.entries(CONTENT).map(async ([table, columns]) =>
        [table, (await runner.warehouse.query(`SELECT ${columns} FROM ${table} ORDER BY ${columns}`)).rows] as const));
      return Object.fromEntries(entries) as StarContent;
    };
    const emptyStar = async () => {
      for (const table of Object.keys(CONTENT)) await runner.warehouse.query(`DELETE FROM ${table}`);
    };
    /** An extra object in a day's partition, removed again after `work`. */
    const withExtraObject = async (day: string, text: string, work: () => Promise<void>) => {
      const file = eventsFile(day).replace('-events.json', '-events-extra.json');
      await writeFile(file, text);
      try {
        await work();
      } finally {
        await rm(file, { force: true });
      }
    };
    const firstEventOf = async (day: string, page = 'NextSong') => {
      const lines = (await readFile(eventsFile(day), 'utf8')).split('\n').filter((line) => line.trim() !== '');
      return JSON.parse(lines.find((line) => JSON.parse(line).page === page)!) as Record<string, unknown>;
    };

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-modes-'));
      bucket = path.join(tmp, 'bucket');
      dataset = await generateDataset({ outDir: bucket, songs: 60, users: 15, days: DAYS.length, eventsPerDay: 80, seed: 'modes', startDate: START });
      warehouse = await createTestWarehouse(kind);
      runner = await startOfflineRunner({ engine: kind, databaseUrl: warehouse.databaseUrl, bucketDir: bucket, waitMs: 20 });
      const outcome = succeeded(await runner.run({}));
      expect(outcome.counts).toEqual({ ...dataset.expected, unusable_records: 0, unusable_by_reason: {} });
      fullLoad = await content();
    }, 240_000);
    afterAll(async () => {
      await runner?.stop();
      await warehouse?.dispose();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    test('a full run again gives the same contents', async () => {
      expect(succeeded(await runner.run({ mode: 'full' })).counts.songplays).toBe(dataset.expected.songplays);
      expect(await content()).toEqual(fullLoad);
    });

    test('day by day in a shuffled order, songs with the first day, gives exactly the full load', async () => {
      await emptyStar();
      const [first, ...rest] = shuffled(DAYS, 7);
      const staged = [succeeded(await runner.run({ mode: 'incremental', date: first, songs: true })).counts];
      for (const day of rest) staged.push(succeeded(await runner.run({ mode: 'incremental', date: day })).counts);
      expect(staged.reduce((sum, counts) => sum + counts.staging_events, 0)).toBe(dataset.expected.staging_events);
      expect(staged[0].staging_songs).toBe(dataset.expected.staging_songs);
      expect(staged[1].staging_songs).toBe(0);
      expect(await content()).toEqual(fullLoad);
    });

    test('a backfill loads every day of the range through the Map, concurrently, and equals the full load', async () => {
      await emptyStar();
      const outcome = succeeded(await runner.run({ mode: 'backfill', from: DAYS[0], to: DAYS[DAYS.length - 1], songs: true, concurrency: 3 }));
      const report = outcome.output as { mode: string; loads: { day: string }[] };
      expect(report.mode).toBe('backfill');
      expect(report.loads.map((load) => load.day)).toEqual(DAYS);
      expect(outcome.counts.staging_events).toBe(dataset.expected.staging_events);
      expect(await content()).toEqual(fullLoad);
    });

    test('a day loaded again changes nothing, and the nightly input (dayBefore) loads the previous UTC day', async () => {
      const outcome = succeeded(await runner.run({ mode: 'incremental', dayBefore: '2019-01-01T03:00:00Z' }));
      expect((outcome.output as { loads: { day: string }[] }).loads.map((load) => load.day)).toEqual(['2018-12-31']);
      expect(await content()).toEqual(fullLoad);
    });

    test('the time dimension keeps ISO week and calendar year, and week_start groups weeks across the year', async () => {
      const { rows } = await runner.warehouse.query(
        `SELECT DISTINCT CAST(start_time AS DATE) AS day, week, year, week_start FROM time
         WHERE start_time >= '2018-12-30' AND start_time < '2019-01-02' ORDER BY 1`);
      expect(rows).toEqual([
        { day: '2018-12-30', week: 52, year: 2018, week_start: '2018-12-24' },
        { day: '2018-12-31', week: 1, year: 2018, week_start: '2018-12-31' },
        { day: '2019-01-01', week: 1, year: 2019, week_start: '2018-12-31' },
      ]);
    });

    test('the same file under a second key gives one songplay per event, and the repeats are counted', async () => {
      const day = DAYS[1];
      const text = await readFile(eventsFile(day), 'utf8');
      await withExtraObject(day, text, async () => {
        const outcome = succeeded(await runner.run({ mode: 'incremental', date: day }));
        const [load] = (outcome.output as { loads: { stagedEvents: number; songplays: number }[] }).loads;
        const plays = text.split('\n').filter((line) => line.includes('"page":"NextSong"') && !line.includes('"userId":""')).length;
        expect(load.stagedEvents).toBe(2 * text.split('\n').filter((line) => line.trim() !== '').length);
        expect(load.songplays).toBe(plays);
        expect(plays).toBeGreaterThan(0);
        expect(await content()).toEqual(fullLoad);
      });
    });

    test('a NextSong event without ts is counted unusable and, above maxUnusable, nothing is published', async () => {
      const day = DAYS[2];
      const { ts: _dropped, ...noTs } = await firstEventOf(day);
      await withExtraObject(day, `${JSON.stringify({ ...noTs, itemInSession: 999 })}\n`, async () => {
        await emptyStar();
        const refused = failed(await runner.run({ mode: 'incremental', date: day }));
        expect(refused.executionError).toContain('LoadsFailed');
        expect(refused.executionError).toMatch(/1 unusable record\(s\) in 2018-12-30 \(play_without_ts: 1\), more than maxUnusable 0; nothing was published/);
        expect((await runner.warehouse.query('SELECT COUNT(*) AS n FROM songplays')).rows).toEqual([{ n: 0 }]);

        const accepted = succeeded(await runner.run({ mode: 'incremental', date: day, maxUnusable: 1 }));
        expect(accepted.counts.unusable_records).toBe(1);
        expect(accepted.counts.unusable_by_reason).toEqual({ play_without_ts: 1 });
      });
      succeeded(await runner.run({}));
    });

    test('a file holding one top-level array is one unusable record, not a silent all-NULL row', async () => {
      const day = DAYS[3];
      const events = [await firstEventOf(day), await firstEventOf(day, 'Home')];
      await withExtraObject(day, JSON.stringify(events), async () => {
        const refused = failed(await runner.run({ mode: 'incremental', date: day }));
        expect(refused.executionError).toMatch(/1 unusable record\(s\) in 2018-12-31 \(no_page: 1\)/);
      });
      expect(await content()).toEqual(fullLoad);
    });

    test('a failed check leaves the published tables exactly as they were and names the check and its count', async () => {
      const day = DAYS[4];
      const play = await firstEventOf(day);
      await withExtraObject(day, `${JSON.stringify({ ...play, level: 'premium', itemInSession: 998 })}\n`, async () => {
        const refused = failed(await runner.run({ mode: 'incremental', date: day }));
        expect(refused.executionError).toContain('Quality checks failed for 2019-01-01: songplays_level_free_or_paid (1 failing row)');
      });
      expect(await content()).toEqual(fullLoad);
    });

    test('a missing day and an empty day each fail clearly; in a backfill the other days are still published', async () => {
      const missing = failed(await runner.run({ mode: 'incremental', date: '2019-01-05' }));
      expect(missing.executionError).toContain('2019-01-05: StatementFailed');
      expect(missing.executionError).toContain("The specified S3 prefix 'log_data/2019/01/2019-01-05' does not exist");

      const emptyDay = eventsFile('2019-01-03');
      await writeFile(emptyDay, '');
      try {
        await emptyStar();
        const partly = failed(await runner.run({ mode: 'backfill', from: DAYS[4], to: '2019-01-03', songs: true }));
        expect(partly.executionError).toContain('1 of 3 load(s) failed and were not published; the others were.');
        expect(partly.executionError).toContain('2019-01-03: QualityCheckFailed: Quality checks failed for 2019-01-03: events_staged (no events in the partition)');
        const { rows } = await runner.warehouse.query('SELECT DISTINCT CAST(start_time AS DATE) AS day FROM songplays ORDER BY 1');
        expect(rows).toEqual([{ day: '2019-01-01' }, { day: '2019-01-02' }]);
      } finally {
        await rm(emptyDay, { force: true });
      }
      succeeded(await runner.run({}));
      expect(await content()).toEqual(fullLoad);
    });

    test('no run leaves its own tables behind, whether it succeeded or failed', async () => {
      const { rows } = await runner.warehouse.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND (tablename LIKE 'staging%' OR tablename LIKE 'load%') ORDER BY 1");
      expect(rows).toEqual([]);
    });

    test('two executions at once never mix or duplicate: same data, and different days, at several offsets', async () => {
      for (const offsetMs of [0, 40, 250]) {
        await emptyStar();
        const later = (input: unknown) => new Promise<RunOutcome>((resolve) => setTimeout(() => resolve(runner.run(input)), offsetMs));
        const [a, b] = await Promise.all([runner.run({}), later({})]);
        succeeded(a);
        succeeded(b);
        expect(await content()).toEqual(fullLoad);

        await emptyStar();
        const [early, late] = await Promise.all([
          runner.run({ mode: 'backfill', from: DAYS[0], to: DAYS[2], songs: true }),
          later({ mode: 'backfill', from: DAYS[3], to: DAYS[5], songs: true }),
        ]);
        succeeded(early);
        succeeded(late);
        expect(await content()).toEqual(fullLoad);
      }
    }, 240_000);
  });
}
