/**
 * A load that COPYs cleanly but whose star schema fails the quality checks: the run fails at
 * ReportResults through the ASL's Catch, naming each failed check.
 */
import { writeDatasetWithoutPlays } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

describe('a run whose star schema fails the quality checks', () => {
  const progress: string[] = [];
  const scratch = runnerOnScratchBucket(writeDatasetWithoutPlays, { onProgress: (line) => progress.push(line) });

  test('fails at ReportResults with QualityCheckFailed naming each failed check, after notifying', async () => {
    const { runner } = scratch;
    const outcome = await runner.run({});
    expect(outcome).toMatchObject({ succeeded: false, failure: { state: 'ReportResults', error: 'QualityCheckFailed' } });
    if (outcome.succeeded) return;
    expect(outcome.failure.cause).toBe('Quality checks failed: songplays_not_empty (the table is empty), time_not_empty (the table is empty)');
    // The Fail state ends the execution with the caught error, as on AWS.
    expect(outcome.executionError).toMatch(/^QualityCheckFailed: /);
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/ReportResults: error caught, continuing at NotifyFailure$/),
      expect.stringMatching(/NotifyFailure: notification not sent offline \(SNS\): Sparkify ETL run failed/),
      expect.stringMatching(/execution failed with QualityCheckFailed: Quality checks failed: songplays_not_empty/),
    ]));
    // The staged data itself was fine: the one user is loaded.
    expect((await runner.warehouse.query('SELECT user_id, level FROM users')).rows).toEqual([{ user_id: 5, level: 'free' }]);
  });
});
