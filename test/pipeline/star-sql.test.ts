/**
 * The star schema SQL (sql/star, sql/checks) on hand-written staging rows, through the real SDK client
 * and the emulator, on both engines: deduplication, latest level, unmatched plays kept, duplicate
 * catalogue songs not duplicating plays, time parts, load windows, rerun idempotency, quality checks.
 */
import { ENGINE_KINDS, runSql, startTestEmulator, type TestEmulator } from '../support/engines';
import { QualityCheckFailedError, assertChecksPassed, readRunReport } from '../../src/pipeline/report';
import { runStage, sqlValue } from './support/pipeline-sql';

type Row = (string | number | null)[];

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
const event = (user: number | null, ts: string, page: string, level: string, song: [string, string, number] | null, lastName = 'Doe'): Row => [
  song?.[1] ?? null, user === null ? 'Logged Out' : 'Logged In', user === null ? null : 'Ann', 'F', 0, user === null ? null : lastName,
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
  event(null, '2018-11-11 11:00:00.000', 'NextSong', 'free', ['Song B', 'Artist Y', 180]), // no user: no songplay
];

async function loadFixtures(client: TestEmulator['client']): Promise<void> {
  const insert = (table: string, rows: Row[]) => runSql(client, `INSERT INTO ${table} VALUES ${rows.map((r) => `(${r.map(sqlValue).join(', ')})`).join(', ')}`);
  for (const table of ['staging_events', 'staging_songs']) await runSql(client, `DELETE FROM ${table}`);
  expect((await insert('staging_songs', SONGS)).status).toBe('FINISHED');
  expect((await insert('staging_events', EVENTS)).status).toBe('FINISHED');
}

async function rows(client: TestEmulator['client'], sql: string) {
  const result = await runSql(client, sql);
  expect(result.error).toBeUndefined();
  return result.rows;
}

describe.each(ENGINE_KINDS)('star schema SQL on %s', (kind) => {
  let emulator: TestEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator(kind);
    expect((await runStage(emulator.client, 'createTables')).status).toBe('FINISHED');
    await loadFixtures(emulator.client);
    expect((await runStage(emulator.client, 'loadStar')).status).toBe('FINISHED');
  });
  afterAll(() => emulator?.stop());

  test('songplays: every NextSong event of an identified user, matched once or kept unmatched', async () => {
    expect(await rows(emulator.client, 'SELECT user_id, start_time, level, song_id, artist_id FROM songplays ORDER BY start_time, user_id')).toEqual([
      { user_id: 10, start_time: SUNDAY, level: 'free', song_id: 'SO1', artist_id: 'AR1' },
      { user_id: 11, start_time: SUNDAY, level: 'paid', song_id: 'SO1', artist_id: 'AR1' },
      { user_id: 10, start_time: NEW_YEARS_EVE, level: 'paid', song_id: null, artist_id: null },
    ]);
  });

  test("users: one per user id seen in any event, attributes from the user's latest event", async () => {
    expect(await rows(emulator.client, 'SELECT user_id, first_name, last_name, level FROM users ORDER BY user_id')).toEqual([
      { user_id: 10, first_name: 'Ann', last_name: 'Doe', level: 'paid' },
      { user_id: 11, first_name: 'Ann', last_name: 'Newname', level: 'free' },
      { user_id: 12, first_name: 'Ann', last_name: 'Doe', level: 'free' },
    ]);
  });

  test('songs and artists: one row per id, duplicates removed, year 0 unknown, located record preferred', async () => {
    expect(await rows(emulator.client, 'SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY song_id')).toEqual([
      { song_id: 'SO1', title: 'Song A', artist_id: 'AR1', year: 2001, duration: 200.5 },
      { song_id: 'SO2', title: 'Song A', artist_id: 'AR1', year: 2003, duration: 200.5 },
      { song_id: 'SO3', title: 'Song B', artist_id: 'AR2', year: null, duration: 180 },
      { song_id: 'SO4', title: 'Song C', artist_id: 'AR2', year: 1999, duration: 150.25 },
    ]);
    expect(await rows(emulator.client, 'SELECT artist_id, name, location, latitude, longitude FROM artists ORDER BY artist_id')).toEqual([
      { artist_id: 'AR1', name: 'Artist X', location: 'Berlin', latitude: null, longitude: null },
      { artist_id: 'AR2', name: 'Artist Y', location: 'Paris', latitude: 48.85, longitude: 2.35 },
    ]);
  });

  test('time: one row per distinct songplay start_time, UTC parts, ISO week, weekday 0 = Sunday', async () => {
    expect(await rows(emulator.client, 'SELECT start_time, hour, day, week, month, year, weekday FROM time ORDER BY start_time')).toEqual([
      { start_time: SUNDAY, hour: 13, day: 4, week: 44, month: 11, year: 2018, weekday: 0 },
      { start_time: NEW_YEARS_EVE, hour: 23, day: 31, week: 1, month: 12, year: 2018, weekday: 1 },
    ]);
  });

  test('a rerun and a windowed reload give the same rows, never duplicates', async () => {
    const snapshot = async () => rows(emulator.client, `SELECT
        (SELECT COUNT(*) FROM songplays) AS songplays, (SELECT COUNT(*) FROM users) AS users,
        (SELECT COUNT(*) FROM songs) AS songs, (SELECT COUNT(*) FROM artists) AS artists, (SELECT COUNT(*) FROM time) AS time,
        (SELECT COUNT(*) FROM songplays WHERE song_id IS NOT NULL) AS matched`);
    const before = await snapshot();
    expect(before).toEqual([{ songplays: 3, users: 3, songs: 4, artists: 2, time: 2, matched: 2 }]);

    await runStage(emulator.client, 'loadStar');
    expect(await snapshot()).toEqual(before);

    // Reload December only: its one play is replaced (a new songplay_id), November's two are untouched.
    const ids = async () => rows(emulator.client, 'SELECT songplay_id, start_time FROM songplays ORDER BY start_time, user_id');
    const [novemberA, novemberB, december] = await ids();
    const progress = await runStage(emulator.client, 'loadStar', { window: { start: '2018-12-01T00:00:00Z', end: '2019-01-01T00:00:00Z' } });
    expect(progress.status).toBe('FINISHED');
    expect(await snapshot()).toEqual(before);
    const after = await ids();
    expect(after.slice(0, 2)).toEqual([novemberA, novemberB]);
    expect(after[2].start_time).toBe(december.start_time);
    expect(after[2].songplay_id).not.toBe(december.songplay_id);
  });

  test("reloading an earlier window keeps each user's current level, from the latest staged event", async () => {
    // User 10 played free in November and paid on New Year's Eve; a November reload must not make them free again.
    const progress = await runStage(emulator.client, 'loadStar', { window: { start: '2018-11-01T00:00:00Z', end: '2018-12-01T00:00:00Z' } });
    expect(progress.status).toBe('FINISHED');
    expect(await rows(emulator.client, 'SELECT user_id, last_name, level FROM users ORDER BY user_id')).toEqual([
      { user_id: 10, last_name: 'Doe', level: 'paid' },
      { user_id: 11, last_name: 'Newname', level: 'free' },
      { user_id: 12, last_name: 'Doe', level: 'free' },
    ]);
  });

  test('quality checks pass on a good load and report the row counts', async () => {
    const checks = await runStage(emulator.client, 'checkQuality');
    const report = await readRunReport(emulator.client, checks.statementId);
    expect(report.rowCounts).toEqual({ staging_events: 6, staging_songs: 5, songplays: 3, users: 3, songs: 4, artists: 2, time: 2 });
    expect(report.songplaysMatched).toBe(2);
    expect(report.checks).toHaveLength(17);
    expect(report.checks.every((c) => c.failures === 0)).toBe(true);
    expect(() => assertChecksPassed(report)).not.toThrow();
  });

  test('a broken star schema fails the checks with a message naming each check and its count', async () => {
    await runSql(emulator.client, `INSERT INTO songplays (start_time, user_id, level) VALUES ('2018-11-20 00:00:00', 999, 'free'), ('2018-11-21 00:00:00', 998, 'free')`);
    await runSql(emulator.client, `INSERT INTO users VALUES (10, 'Dup', 'Licate', 'F', 'free')`);
    const checks = await runStage(emulator.client, 'checkQuality');
    const report = await readRunReport(emulator.client, checks.statementId);
    expect(report.checks.filter((c) => c.failures > 0)).toEqual([
      { check: 'songplays_start_time_resolves', failures: 2 },
      { check: 'songplays_user_resolves', failures: 2 },
      { check: 'users_duplicate_keys', failures: 1 },
    ]);
    expect(() => assertChecksPassed(report)).toThrow(QualityCheckFailedError);
    expect(() => assertChecksPassed(report)).toThrow(
      'Quality checks failed: songplays_start_time_resolves (2 failing rows), songplays_user_resolves (2 failing rows), users_duplicate_keys (1 failing row)');

    // The next load repairs what it owns: the facts of its window and the users it saw.
    await runStage(emulator.client, 'loadStar');
    const repaired = await readRunReport(emulator.client, (await runStage(emulator.client, 'checkQuality')).statementId);
    expect(repaired.checks.filter((c) => c.failures > 0)).toEqual([]);
  });
  test('a windowed load merges the dimensions; a load without a window rebuilds the star from staging', async () => {
    const counts = async () => (await rows(emulator.client, `SELECT
        (SELECT COUNT(*) FROM songplays) AS songplays, (SELECT COUNT(*) FROM users) AS users,
        (SELECT COUNT(*) FROM songs) AS songs, (SELECT COUNT(*) FROM artists) AS artists, (SELECT COUNT(*) FROM time) AS time`))[0];
    // A new day's staging: one new song and one new user's play.
    await runSql(emulator.client, 'DELETE FROM staging_songs');
    await runSql(emulator.client, 'DELETE FROM staging_events');
    await runSql(emulator.client, `INSERT INTO staging_songs VALUES (${[1, 'AR9', null, null, 'Oslo', 'Artist Z', 'SO9', 'Song Z', 100, 2010].map(sqlValue).join(', ')})`);
    await runSql(emulator.client, `INSERT INTO staging_events VALUES (${event(20, '2018-11-15 09:00:00.000', 'NextSong', 'free', ['Song Z', 'Artist Z', 100]).map(sqlValue).join(', ')})`);

    await runStage(emulator.client, 'loadStar', { window: { start: '2018-11-15T00:00:00Z', end: '2018-11-16T00:00:00Z' } });
    expect(await counts()).toEqual({ songplays: 4, users: 4, songs: 5, artists: 3, time: 3 });

    await runStage(emulator.client, 'loadStar');
    expect(await counts()).toEqual({ songplays: 1, users: 1, songs: 1, artists: 1, time: 1 });
    expect(await rows(emulator.client, 'SELECT user_id, song_id, artist_id FROM songplays')).toEqual([{ user_id: 20, song_id: 'SO9', artist_id: 'AR9' }]);
  });
});
