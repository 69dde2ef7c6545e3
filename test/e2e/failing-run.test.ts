import { writeTestDataset } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

describe('a failing offline run', () => {
  const progress: string[] = [];
  /** Lets a test react to a progress line as it is printed. */
  let onLine: (line: string) => void = () => undefined;
  const scratch = runnerOnScratchBucket(writeTestDataset, {
    handlerEnv: { S3_LOG_DATA: 's3://udacity-dend/no_such_prefix' },
    onProgress: (line) => {
      progress.push(line);
      onLine(line);
    },
  });

  test('a bad prefix fails the run at the staging poll, naming the stage and the S3 error', async () => {
    const outcome = await scratch.runner.run({});
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure.state).toBe('PollStageEvents');
    expect(outcome.failure.error).toBe('StatementFailed');
    expect(outcome.failure.cause).toContain('Stage stageEvents');
    expect(outcome.failure.cause).toContain("The specified S3 prefix 'no_such_prefix' does not exist");
    // The failure went through the ASL's Catch to the notification, then the Fail state.
    expect(outcome.executionError).toMatch(/^StatementFailed: /);
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/StageData: error caught, continuing at NotifyFailure$/),
      expect.stringMatching(/NotifyFailure: notification not sent offline \(SNS\): Sparkify ETL run failed/),
      expect.stringMatching(/execution failed with StatementFailed: /),
    ]));
    // The notification shows in its place: after the state starts, not before the failure it reports.
    const at = (pattern: RegExp) => progress.findIndex((line) => pattern.test(line));
    expect(at(/StageData: error caught/)).toBeLessThan(at(/NotifyFailure: started$/));
    expect(at(/NotifyFailure: started$/)).toBeLessThan(at(/NotifyFailure: notification not sent offline/));
    expect(progress.some((line) => /NotifyFailure: done$/.test(line))).toBe(false);
  });

  test('bad execution input fails at the first stage with the field named', async () => {
    const outcome = await scratch.runner.run({ window: { start: 'yesterday' } });
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure).toMatchObject({ state: 'CreateTables', error: 'InvalidInput' });
    expect(outcome.failure.cause).toContain('window.start');
  });

  test('an aborted run stops between states and says so', async () => {
    const interrupt = new AbortController();
    progress.length = 0;
    onLine = (line) => {
      if (/CreateTables: createTables submitted statement/.test(line)) interrupt.abort();
    };
    const outcome = await scratch.runner.run({}, interrupt.signal);
    expect(outcome).toMatchObject({ succeeded: false, failure: { error: 'ExecutionAborted', cause: 'The run was stopped before it finished' } });
    expect(progress.some((line) => line.includes('StageData: started'))).toBe(false);
  });
});
