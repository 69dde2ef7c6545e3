/**
 * A load that COPYs cleanly but whose new rows fail the load checks: the load fails at ReviewLoad before
 * anything is published, its tables are dropped, and the run fails at ReportResults through the ASL's
 * Catch with LoadsFailed, naming the load and each failed check. The published tables keep what the
 * previous run published.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { writeTestDataset } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

/** Every column but the surrogate key, so two states of the star schema compare by content. */
const STAR = [
  'SELECT start_time, user_id, level, song_id, artist_id, session_id, item_in_session FROM songplays ORDER BY 1, 2, 6, 7',
  'SELECT user_id, first_name, last_name, gender, level, last_event_at FROM users ORDER BY user_id',
  'SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY song_id',
  'SELECT artist_id, name, location, latitude, longitude FROM artists ORDER BY artist_id',
  'SELECT start_time, hour, day, week, week_start, month, year, weekday FROM time ORDER BY start_time',
];

describe('a run whose load fails the quality checks', () => {
  const progress: string[] = [];
  let bucket: string;
  const scratch = runnerOnScratchBucket(async (dir) => {
    bucket = dir;
    return writeTestDataset(dir);
  }, { onProgress: (line) => progress.push(line) });

  test('fails at ReviewLoad with QualityCheckFailed naming each failed check, publishes nothing, and the run fails after notifying', async () => {
    const { runner } = scratch;
    const star = async () => Promise.all(STAR.map(async (sql) => (await runner.warehouse.query(sql)).rows));
    const first = await runner.run({});
    expect(first.succeeded).toBe(true);
    const published = await star();
    expect(published[0].length).toBeGreaterThan(0);

    // A play at a level the app does not have, in the second day's file (no final newline there).
    const play = {
      artist: null, auth: 'Logged In', firstName: 'Pat', gender: 'F', itemInSession: 0, lastName: 'Lee', length: null, level: 'premium',
      location: 'Town', method: 'PUT', page: 'NextSong', registration: 1540919166796.0, sessionId: 4242, song: null, status: 200,
      ts: 1541160000000, userAgent: 'x', userId: '999',
    };
    await appendFile(path.join(bucket, 'log_data/2018/11/2018-11-02-events.json'), `\n${JSON.stringify(play)}`);
    progress.length = 0;
    const outcome = await runner.run({});
    expect(outcome).toMatchObject({
      succeeded: false,
      failure: {
        state: 'ReviewLoad [all days]',
        error: 'QualityCheckFailed',
        cause: 'Quality checks failed for all days: songplays_level_free_or_paid (1 failing row), users_level_free_or_paid (1 failing row)',
      },
    });
    if (outcome.succeeded) return;
    // The Fail state ends the execution with the caught error, as on AWS: the run's, naming the load's.
    expect(outcome.executionError).toMatch(/^LoadsFailed: /);
    expect(outcome.executionError).toContain('1 of 1 load(s) failed and were not published; the others were. all days: QualityCheckFailed: Quality checks failed for all days: songplays_level_free_or_paid (1 failing row)');
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/ReviewLoad \[all days\]: error caught, continuing at DropFailedLoad$/),
      expect.stringMatching(/ReportResults: error caught, continuing at ShouldPauseAfterFailure$/),
      expect.stringMatching(/NotifyFailure: notification not sent offline \(SNS\): Sparkify ETL run failed/),
      expect.stringMatching(/execution failed with LoadsFailed: 1 of 1 load\(s\) failed/),
    ]));
    expect(progress.some((line) => /PublishLoad/.test(line))).toBe(false);
    // Nothing of the failed load was published: the star schema is the previous run's, to the row.
    expect(await star()).toEqual(published);
    expect((await runner.warehouse.query('SELECT COUNT(*) AS n FROM users WHERE user_id = 999')).rows).toEqual([{ n: 0 }]);
  });
});
