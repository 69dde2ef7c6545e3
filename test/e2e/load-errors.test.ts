import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatLoadErrors, loadErrorsSince } from '../../src/offline/runner';
import { writeTestDataset } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

describe('a run whose events hold a bad record', () => {
  // The test dataset's second and last day.
  const badFile = 'log_data/2018/11/2018-11-02-events.json';
  let goodLines: number;
  const scratch = runnerOnScratchBucket(async (bucket) => {
    await writeTestDataset(bucket);
    goodLines = (await readFile(path.join(bucket, badFile), 'utf8')).split('\n').length;
    // Generated files, like the bucket's, have no final newline: this is the next line, with a user id that is not a number.
    const good = '{"artist":null,"auth":"Logged In","firstName":"A","gender":"F","itemInSession":0,"lastName":"B","length":null,"level":"free","location":"X","method":"GET","page":"Home","registration":1540919166796.0,"sessionId":1,"song":null,"status":200,"ts":1543607664796,"userAgent":"x",';
    await appendFile(path.join(bucket, badFile), `\n${good}"userId":"abc"}`);
  });

  test('fails at the events COPY, and sys_load_error_detail names the file, line and column', async () => {
    const { runner } = scratch;
    const outcome = await runner.run({});
    expect(outcome).toMatchObject({ succeeded: false, failure: { state: 'PollStageEvents [all days]', error: 'StatementFailed' } });
    if (outcome.succeeded) return;
    // The load's own staging table, named after the run.
    expect(outcome.failure.cause).toMatch(/Load into table 'staging_events_[0-9a-f]{12}_all' failed\. Check 'sys_load_error_detail' system table for details\./);
    expect(outcome.executionError).toMatch(/^LoadsFailed: /);

    const loadErrors = await loadErrorsSince(runner.warehouse, outcome.startedAt);
    expect(loadErrors.total).toBe(1);
    const [row] = loadErrors.first;
    expect(row).toMatchObject({ file_name: `s3://udacity-dend/${badFile}`, column_name: 'user_id' });
    expect(row.line_number).toBe(goodLines + 1); // the line after the generated ones

    expect(row).toMatchObject({ error_code: 1207, error_message: "Invalid digit, Value 'a', Pos 0, Type: Integer" });
    expect(formatLoadErrors(loadErrors)).toMatch(/^Load errors: 1 record\(s\) rejected by COPY \(sys_load_error_detail\)\nfile_name/);
    // COPY is atomic and the load was dropped: nothing of it is staged or published.
    expect((await runner.warehouse.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name LIKE 'staging\\_events\\_%'")).rows).toEqual([{ n: 0 }]);
    expect((await runner.warehouse.query('SELECT (SELECT COUNT(*) FROM songplays) AS songplays, (SELECT COUNT(*) FROM users) AS users')).rows)
      .toEqual([{ songplays: 0, users: 0 }]);
  });
});
