import { writeTestDataset } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

/** The error and the message of an execution's failure: the Fail state's Error, and its Cause (a Lambda error as JSON). */
function executionFailure(executionError: string): { error: string; message: string } {
  const at = executionError.indexOf(': ');
  return { error: executionError.slice(0, at), message: (JSON.parse(executionError.slice(at + 2)) as { errorMessage: string }).errorMessage };
}

/** The run's and its loads' own tables (named after the run id, and the day) that are still in the warehouse. */
async function runTablesLeft(warehouse: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> }): Promise<string[]> {
  const { rows } = await warehouse.query('SELECT table_name FROM information_schema.tables ORDER BY table_name');
  return rows.map((row) => String(row.table_name)).filter((name) => /^(staging|load)_[a-z_]+_[0-9a-f]{12}(_all|_\d{8})?$/.test(name));
}

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

  test('a bad prefix fails the load at the staging poll, naming the stage and the S3 error; the run then fails naming the load', async () => {
    const outcome = await scratch.runner.run({});
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure.state).toBe('PollStageEvents [all days]');
    expect(outcome.failure.error).toBe('StatementFailed');
    expect(outcome.failure.cause).toContain('Stage stageEvents');
    expect(outcome.failure.cause).toContain("The specified S3 prefix 'no_such_prefix' does not exist");
    // The load's failure was caught in the Map; the report fails the run, through the ASL's Catch to the notification, then the Fail state.
    const execution = executionFailure(outcome.executionError);
    expect(execution.error).toBe('LoadsFailed');
    expect(execution.message).toMatch(/^1 of 1 load\(s\) failed and were not published; the others were\. all days: StatementFailed: Stage stageEvents: statement [0-9a-f-]{36} failed: ERROR: The specified S3 prefix 'no_such_prefix' does not exist \| SQL: /);
    expect(progress).toEqual(expect.arrayContaining([
      expect.stringMatching(/PollStageEvents \[all days\]: error caught, continuing at DropFailedLoad$/),
      expect.stringMatching(/ReportResults: error caught, continuing at ShouldPauseAfterFailure$/),
      expect.stringMatching(/NotifyFailure: notification not sent offline \(SNS\): Sparkify ETL run failed/),
      expect.stringMatching(/execution failed with LoadsFailed: /),
    ]));
    // Each step in its place: the load is dropped, the run cleaned up and reported, and the notification
    // shows after its state starts, not before the failure it reports.
    const at = (pattern: RegExp) => progress.findIndex((line) => pattern.test(line));
    const order = [
      /PollStageEvents \[all days\]: error caught/, /DropFailedLoad \[all days\]: done$/, /CleanUpRun: done$/, /ReportResults: error caught/,
      /NotifyFailure: started$/, /NotifyFailure: notification not sent offline/,
    ].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(progress.some((line) => /CheckLoad|PublishLoad|NotifyFailure: done$/.test(line))).toBe(false);
    // Nothing was published, and the failed load's own tables are gone.
    expect((await scratch.runner.warehouse.query('SELECT COUNT(*) AS n FROM songplays')).rows).toEqual([{ n: 0 }]);
    expect((await runTablesLeft(scratch.runner.warehouse)).filter((name) => name.endsWith('_all'))).toEqual([]);
  });

  // DropFailedLoad (the all-days load) and CleanUpRun each drop their own tables: their tokens differ.
  test("the failed run left none of its own tables either", async () => {
    expect(await runTablesLeft(scratch.runner.warehouse)).toEqual([]);
  });

  test.each([
    [{ mode: 'incremental', date: '2018-02-30' }, 'Invalid execution input: date: is not a calendar date'],
    [{ window: { start: '2018-11-01T00:00:00Z', end: '2018-11-02T00:00:00Z' } }, 'Invalid execution input: (input): Unrecognized key: "window"'],
    [{ mode: 'backfill', from: '2018-11-30', to: '2018-11-01' }, 'Invalid execution input: to: must not be before from'],
  ])('bad execution input %j fails at PlanRun with the field named, before any SQL', async (input, cause) => {
    progress.length = 0;
    const outcome = await scratch.runner.run(input);
    expect(outcome.succeeded).toBe(false);
    if (outcome.succeeded) return;
    expect(outcome.failure).toEqual({ state: 'PlanRun', error: 'InvalidInput', cause });
    expect(executionFailure(outcome.executionError)).toEqual({ error: 'InvalidInput', message: cause });
    expect(progress.filter((line) => /: started$/.test(line)).map((line) => line.replace(/^\[\s*[\d.]+s\] /, ''))).toEqual([
      'PlanRun: started', 'CleanUpFailedRun: started', 'NotifyFailure: started',
    ]);
  });

  test('an aborted run stops between states and says so', async () => {
    const interrupt = new AbortController();
    progress.length = 0;
    onLine = (line) => {
      if (/CreateTables: createTables submitted statement/.test(line)) interrupt.abort();
    };
    const outcome = await scratch.runner.run({}, interrupt.signal);
    expect(outcome).toMatchObject({ succeeded: false, failure: { error: 'ExecutionAborted', cause: 'The run was stopped before it finished' } });
    expect(progress.some((line) => line.includes('StageSongs: started'))).toBe(false);
    expect(progress.some((line) => line.includes('LoadEachDay: started'))).toBe(false);
  });
});
