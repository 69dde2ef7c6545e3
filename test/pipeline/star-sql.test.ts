/**
 * The load SQL (sql/staging, sql/load, sql/checks, sql/publish) on hand-written staging rows, through the
 * real SDK client and the emulator, on both engines: the new star rows a load builds (deduplication,
 * latest level, unmatched plays kept, duplicate catalogue songs not duplicating plays, time parts), its
 * accounting and checks before anything is published, and what publishing a full or a one-day load does
 * to the published tables (reruns, day reloads, merged dimensions, full rebuilds).
 */
import { ENGINE_KINDS, runSql, startTestEmulator, type TestEmulator } from '../support/engines';
import { assertPublishable, readLoadReport, type LoadReport } from '../../src/pipeline/report';
import type { RunInput } from '../../src/pipeline/run-input';
import { stageSubmission } from '../../src/pipeline/stages';
import { manualScope, runStage, scopedStatements, sqlValue, tablesOf, testConfig } from './support/pipeline-sql';

type Row = (string | number | null)[];
type Scope = ReturnType<typeof manualScope>;

// Song columns: num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, song_id, title, duration, year
const SONGS: Row[] = [
  [1, 'AR1', null, null, 'Berlin', 'Artist X', 'SO1', 'Song A', 200.5, 2001],
  [1, 'AR1', null, null, 'Berlin', 'Artist X', 'SO1', 'Song A', 200.5, 2001], // the same song object twice
  [1, 'AR1', null, null, '', 'Artist X', 'SO2', 'Song A', 200.5, 2003], // a second catalogue entry for the same song
  [1, 'AR2', null, null, '', 'Artist Y', 'SO3', 'Song B', 180, 0], // year 0 = unknown
  [1, 'AR2', 48.85, 2.35, 'Paris', 'Artist Y', 'SO4', 'Song C', 150.25, 1999],
];

// Event columns: artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method,
// page, registration, session_id, song, status, ts, user_agent, user_id
const event = (user: number | null, ts: string, page: string, level: string, song: [string, string, number] | null, lastName = 'Doe', item = 0): Row => [
  song?.[1] ?? null, user === null ? 'Logged Out' : 'Logged In', user === null ? null : 'Ann', 'F', item, user === null ? null : lastName,
  song?.[2] ?? null, level, 'Town, ST', 'PUT', page, 1540919166796, 7, song?.[0] ?? null, 200, ts, '"Mozilla/5.0"', user,
];
const SUNDAY = '2018-11-04 13:05:06.123';
const NEW_YEARS_EVE = '2018-12-31 23:59:59.999';
const EVENTS: Row[] = [
  event(10, SUNDAY, 'NextSong', 'free', ['Song A', 'Artist X', 200.5]), // matches SO1 (and SO2, which must not duplicate it)
  event(11, SUNDAY, 'NextSong', 'paid', ['Song A', 'Artist X', 200.5]), // same start_time as the play above
  event(10, NEW_YEARS_EVE, 'NextSong', 'paid', ['No Such Song', 'Nobody', 99.9]), // unmatched: kept with NULLs
  event(11, '2018-12-01 08:00:00.000', 'Logout', 'free', null, 'Newname'), // 11's latest event, not a play
  event(12, '2018-11-10 10:00:00.000', 'Home', 'free', null), // a user who never plays
  event(null, '2018-11-11 11:00:00.000', 'NextSong', 'free', ['Song B', 'Artist Y', 180]), // no user: an unusable play
];

/** The full load of the fixtures: the null-user play is its one unusable record, which it allows. */
const FULL: RunInput = { maxUnusable: 1 };
const day = (date: string, extra: Partial<RunInput> = {}): RunInput => ({ mode: 'incremental', date, ...extra } as RunInput);

describe.each(ENGINE_KINDS)('load SQL on %s', (kind) => {
  let emulator: TestEmulator;
  let fullReport: LoadReport;

  async function rows(sql: string) {
    const result = await runSql(emulator.client, sql);
    expect(result.error).toBeUndefined();
    return result.rows;
  }

  async function exec(sqls: string[]) {
    for (const sql of sqls) expect(await runSql(emulator.client, sql)).toMatchObject({ status: 'FINISHED' });
  }

  /**
   * What stageSongs and stageEvents would leave, with hand-written rows instead of COPY: the run's staged
   * songs (none unless given) and their catalogue, and the load's staged events.
   */
  async function stage(scope: Scope, events: Row[], songs: Row[] = []) {
    const tables = tablesOf(scope);
    const insert = (table: string, values: Row[]) =>
      (values.length === 0 ? [] : [`INSERT INTO ${table} VALUES ${values.map((r) => `(${r.map(sqlValue).join(', ')})`).join(', ')}`]);
    await exec([
      ...scopedStatements(scope, 'staging/staging_songs.sql'), ...insert(tables.staging_songs, songs),
      ...scopedStatements(scope, 'load/catalogue.sql'),
      ...scopedStatements(scope, 'staging/staging_events.sql'), ...insert(tables.staging_events, events),
    ]);
  }

  /** checkLoad, then its report as reviewLoad reads it (the rows COPY would have reported, when given). */
  async function check(scope: Scope, copiedEvents?: number): Promise<LoadReport> {
    const checked = await runStage(emulator.client, 'checkLoad', scope);
    expect(checked.status).toBe('FINISHED');
    const statements = stageSubmission('checkLoad', testConfig, scope).sqls.length;
    return readLoadReport(emulator.client, scope.load, checked.statementId, statements, copiedEvents);
  }

  /** A checked load published, as the state machine does it: only when the review passes. */
  async function load(run: RunInput, events: Row[], songs: Row[] = []): Promise<LoadReport> {
    const scope = manualScope(run);
    await stage(scope, events, songs);
    const report = await check(scope, events.length);
    assertPublishable(report, scope.plan);
    expect((await runStage(emulator.client, 'publishLoad', scope)).status).toBe('FINISHED');
    return report;
  }

  const counts = async () => (await rows(`SELECT
      (SELECT COUNT(*) FROM songplays) AS songplays, (SELECT COUNT(*) FROM users) AS users,
      (SELECT COUNT(*) FROM songs) AS songs, (SELECT COUNT(*) FROM artists) AS artists, (SELECT COUNT(*) FROM time) AS time,
      (SELECT COUNT(*) FROM songplays WHERE song_id IS NOT NULL) AS matched`))[0];

  beforeAll(async () => {
    emulator = await startTestEmulator(kind);
    expect((await runStage(emulator.client, 'createTables')).status).toBe('FINISHED');
    fullReport = await load(FULL, EVENTS, SONGS);
  });
  afterAll(() => emulator?.stop());

  test('songplays: every NextSong event of an identified user, matched once or kept unmatched', async () => {
    expect(await rows('SELECT user_id, start_time, level, song_id, artist_id, session_id, item_in_session FROM songplays ORDER BY start_time, user_id')).toEqual([
      { user_id: 10, start_time: SUNDAY, level: 'free', song_id: 'SO1', artist_id: 'AR1', session_id: 7, item_in_session: 0 },
      { user_id: 11, start_time: SUNDAY, level: 'paid', song_id: 'SO1', artist_id: 'AR1', session_id: 7, item_in_session: 0 },
      { user_id: 10, start_time: NEW_YEARS_EVE, level: 'paid', song_id: null, artist_id: null, session_id: 7, item_in_session: 0 },
    ]);
  });

  test("users: one per user id seen in any event, attributes and last_event_at from the user's latest event", async () => {
    expect(await rows('SELECT user_id, first_name, last_name, level, last_event_at FROM users ORDER BY user_id')).toEqual([
      { user_id: 10, first_name: 'Ann', last_name: 'Doe', level: 'paid', last_event_at: NEW_YEARS_EVE },
      { user_id: 11, first_name: 'Ann', last_name: 'Newname', level: 'free', last_event_at: '2018-12-01 08:00:00' },
      { user_id: 12, first_name: 'Ann', last_name: 'Doe', level: 'free', last_event_at: '2018-11-10 10:00:00' },
    ]);
  });

  test('songs and artists: one row per id, duplicates removed, year 0 unknown, located record preferred', async () => {
    expect(await rows('SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY song_id')).toEqual([
      { song_id: 'SO1', title: 'Song A', artist_id: 'AR1', year: 2001, duration: 200.5 },
      { song_id: 'SO2', title: 'Song A', artist_id: 'AR1', year: 2003, duration: 200.5 },
      { song_id: 'SO3', title: 'Song B', artist_id: 'AR2', year: null, duration: 180 },
      { song_id: 'SO4', title: 'Song C', artist_id: 'AR2', year: 1999, duration: 150.25 },
    ]);
    expect(await rows('SELECT artist_id, name, location, latitude, longitude FROM artists ORDER BY artist_id')).toEqual([
      { artist_id: 'AR1', name: 'Artist X', location: 'Berlin', latitude: null, longitude: null },
      { artist_id: 'AR2', name: 'Artist Y', location: 'Paris', latitude: 48.85, longitude: 2.35 },
    ]);
  });

  test('time: one row per distinct songplay start_time, UTC parts, ISO week and its Monday, weekday 0 = Sunday', async () => {
    expect(await rows('SELECT start_time, hour, day, week, week_start, month, year, weekday FROM time ORDER BY start_time')).toEqual([
      { start_time: SUNDAY, hour: 13, day: 4, week: 44, week_start: '2018-10-29', month: 11, year: 2018, weekday: 0 },
      { start_time: NEW_YEARS_EVE, hour: 23, day: 31, week: 1, week_start: '2018-12-31', month: 12, year: 2018, weekday: 1 },
    ]);
  });

  test('the load report accounts for every staged record and passes every check; unusable records count against maxUnusable', () => {
    expect(fullReport.day).toBeNull();
    expect(fullReport.accounting).toEqual({
      staged_events: 6, other_page_events: 2, songplays: 3, repeated_events: 0,
      unusable_no_page: 0, unusable_play_without_ts: 0, unusable_play_without_user: 1, unusable_play_outside_day: 0,
      staged_songs: 5, catalogue_songs: 4, repeated_songs: 1, unusable_song_without_id: 0,
    });
    expect(fullReport.unusable).toEqual({ play_without_user: 1 });
    expect(fullReport.checks.map((c) => c.check)).toEqual([
      'events_staged', 'songplays_artist_resolves', 'songplays_level_free_or_paid', 'songplays_song_resolves', 'songplays_time_resolves',
      'songplays_unique_event', 'songplays_user_resolves', 'staged_events_accounted_for', 'staged_events_equal_copied',
      'staged_songs_accounted_for', 'users_level_free_or_paid',
    ]);
    expect(fullReport.checks.filter((c) => c.failures !== 0)).toEqual([]);
    // The same load with the default maxUnusable 0 is refused before publishing.
    expect(() => assertPublishable(fullReport, manualScope({}).plan)).toThrow(expect.objectContaining({
      name: 'UnusableRecords',
      message: '1 unusable record(s) in all days (play_without_user: 1), more than maxUnusable 0; nothing was published',
    }));
  });

  test('a rerun gives the same rows; an event delivered twice is one play', async () => {
    const before = await counts();
    expect(before).toEqual({ songplays: 3, users: 3, songs: 4, artists: 2, time: 2, matched: 2 });
    const report = await load(FULL, [...EVENTS, ...EVENTS.slice(0, 3)], SONGS);
    expect(report.accounting).toMatchObject({ staged_events: 9, songplays: 3, repeated_events: 3, unusable_play_without_user: 1 });
    expect(await counts()).toEqual(before);
  });

  test("a day's reload replaces that day's plays only, and keeps the catalogue when it stages no songs", async () => {
    const before = await counts();
    const ids = async () => rows('SELECT songplay_id, start_time FROM songplays ORDER BY start_time, user_id');
    const [novemberA, novemberB, december] = await ids();
    const report = await load(day('2018-12-31'), [EVENTS[2]]);
    expect(report).toMatchObject({ day: '2018-12-31', unusable: {}, accounting: { staged_events: 1, songplays: 1, staged_songs: 0, catalogue_songs: 0 } });
    expect(await counts()).toEqual(before);
    const after = await ids();
    expect(after.slice(0, 2)).toEqual([novemberA, novemberB]);
    expect(after[2].start_time).toBe(december.start_time);
    expect(after[2].songplay_id).not.toBe(december.songplay_id);
  });

  test("reloading an earlier day keeps each user's current level, from their latest event", async () => {
    // User 10 played free on that Sunday and paid on New Year's Eve; 11 played paid but logged out free later.
    await load(day('2018-11-04'), EVENTS.slice(0, 2));
    expect(await rows('SELECT user_id, last_name, level, last_event_at FROM users ORDER BY user_id')).toEqual([
      { user_id: 10, last_name: 'Doe', level: 'paid', last_event_at: NEW_YEARS_EVE },
      { user_id: 11, last_name: 'Newname', level: 'free', last_event_at: '2018-12-01 08:00:00' },
      { user_id: 12, last_name: 'Doe', level: 'free', last_event_at: '2018-11-10 10:00:00' },
    ]);
  });

  test("a day's plays outside the day are unusable, not published", async () => {
    const scope = manualScope(day('2018-11-12'));
    await stage(scope, [event(13, '2018-11-12 09:00:00.000', 'NextSong', 'free', null), event(13, '2018-11-13 00:00:00.000', 'NextSong', 'free', null, 'Doe', 1)]);
    const report = await check(scope, 2);
    expect(report.accounting).toMatchObject({ staged_events: 2, songplays: 1, unusable_play_outside_day: 1 });
    expect(report.unusable).toEqual({ play_outside_day: 1 });
    expect(() => assertPublishable(report, scope.plan)).toThrow(
      '1 unusable record(s) in 2018-11-12 (play_outside_day: 1), more than maxUnusable 0; nothing was published');
  });

  test("a day's load merges into the dimensions and matches plays against the published catalogue", async () => {
    expect(await counts()).toEqual({ songplays: 3, users: 3, songs: 4, artists: 2, time: 2, matched: 2 });
    const report = await load(day('2018-11-15', { songs: true }), [
      event(20, '2018-11-15 09:00:00.000', 'NextSong', 'free', ['Song Z', 'Artist Z', 100]), // the run's new song
      event(21, '2018-11-15 10:00:00.000', 'NextSong', 'paid', ['Song B', 'Artist Y', 180]), // a published song
    ], [[1, 'AR9', null, null, 'Oslo', 'Artist Z', 'SO9', 'Song Z', 100, 2010]]);
    expect(report.accounting).toMatchObject({ songplays: 2, staged_songs: 1, catalogue_songs: 1 });
    expect(await counts()).toEqual({ songplays: 5, users: 5, songs: 5, artists: 3, time: 4, matched: 4 });
    expect(await rows("SELECT user_id, song_id, artist_id FROM songplays WHERE start_time >= '2018-11-15' AND start_time < '2018-11-16' ORDER BY user_id")).toEqual([
      { user_id: 20, song_id: 'SO9', artist_id: 'AR9' },
      { user_id: 21, song_id: 'SO3', artist_id: 'AR2' },
    ]);
  });

  test('failed checks name each check and its count, and checking changes no published row', async () => {
    const before = await counts();
    const scope = manualScope(day('2018-11-20'));
    await stage(scope, [event(30, '2018-11-20 12:00:00.000', 'NextSong', 'premium', null)]);
    const report = await check(scope, 2); // COPY reported a row more than was staged
    expect(report.checks.filter((c) => c.failures > 0)).toEqual([
      { check: 'songplays_level_free_or_paid', failures: 1 },
      { check: 'staged_events_equal_copied', failures: 1 },
      { check: 'users_level_free_or_paid', failures: 1 },
    ]);
    expect(() => assertPublishable(report, scope.plan)).toThrow(expect.objectContaining({
      name: 'QualityCheckFailed',
      message: 'Quality checks failed for 2018-11-20: songplays_level_free_or_paid (1 failing row), staged_events_equal_copied (1 failing row), users_level_free_or_paid (1 failing row)',
    }));
    expect(await counts()).toEqual(before);
    expect(await rows('SELECT COUNT(*) AS n FROM users WHERE user_id = 30')).toEqual([{ n: 0 }]);

    // A day with no events at all fails events_staged.
    await stage(scope, []);
    const empty = await check(scope, 0);
    expect(empty.checks.filter((c) => c.failures > 0)).toEqual([{ check: 'events_staged', failures: 1 }]);
    expect(() => assertPublishable(empty, scope.plan)).toThrow('Quality checks failed for 2018-11-20: events_staged (no events in the partition)');
  });

  test('a full load rebuilds the whole star schema from its own staged data', async () => {
    await load({}, [event(20, '2018-11-15 09:00:00.000', 'NextSong', 'free', ['Song Z', 'Artist Z', 100])],
      [[1, 'AR9', null, null, 'Oslo', 'Artist Z', 'SO9', 'Song Z', 100, 2010]]);
    expect(await counts()).toEqual({ songplays: 1, users: 1, songs: 1, artists: 1, time: 1, matched: 1 });
    expect(await rows('SELECT user_id, song_id, artist_id FROM songplays')).toEqual([{ user_id: 20, song_id: 'SO9', artist_id: 'AR9' }]);
    // Publishing drops the load's own tables; the run's catalogue stays for its other loads.
    const tables = tablesOf(manualScope({}));
    const left = await rows(`SELECT table_name FROM information_schema.tables WHERE table_name IN ('${Object.values(tables).join("', '")}') ORDER BY table_name`);
    expect(left).toEqual([{ table_name: tables.load_artists }, { table_name: tables.load_songs }, { table_name: tables.staging_songs }]);
  });
});
