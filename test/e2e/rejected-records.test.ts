/**
 * MAXERROR per source, through the whole run: with EVENTS_MAXERROR=1 a day holding one broken event line
 * loads every good record, and the summary lists the rejected one with its file, line, position and reason.
 */
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatSummary, gatherSummary } from '../../src/offline/runner';
import { writeTestDataset } from '../support/dataset';
import { runnerOnScratchBucket } from './scratch-runner';

const DAY_FILE = 'log_data/2018/11/2018-11-01-events.json';
const BROKEN = '{"artist":"Nobody","auth":"Logged In","page":"NextSong","song":"Unterminated,"ts":1541030400000}\n';

describe('a run whose events source allows one rejected record', () => {
  let expectedPlays = 0;
  let brokenLine = 0;
  const scratch = runnerOnScratchBucket(async (bucket) => {
    const dataset = await writeTestDataset(bucket);
    expectedPlays = dataset.expected.songplays;
    const text = await readFile(path.join(bucket, DAY_FILE), 'utf8');
    const separator = text.endsWith('\n') ? '' : '\n';
    brokenLine = (text + separator).split('\n').length;
    await appendFile(path.join(bucket, DAY_FILE), separator + BROKEN);
  }, { handlerEnv: { EVENTS_MAXERROR: '1' } });

  test('loads every good record, and the summary names the rejected one', async () => {
    const outcome = await scratch.runner.run({});
    if (!outcome.succeeded) throw new Error(`${outcome.failure.state}: ${outcome.failure.cause}`);
    expect(outcome.counts.songplays).toBe(expectedPlays);

    const summary = await gatherSummary(scratch.runner.warehouse, outcome.counts, outcome.startedAt);
    expect(summary.loadErrors.total).toBe(1);
    expect(summary.loadErrors.first).toEqual([{
      file_name: `s3://udacity-dend/${DAY_FILE}`,
      line_number: brokenLine,
      position: BROKEN.length,
      column_name: expect.any(String),
      error_code: 1216,
      // The quote after "Unterminated," closes the title, so the one before 1541030400000 opens a string
      // the line never closes: the error is where the line breaks.
      error_message: `Invalid JSON: unterminated string, a JSON string cannot hold a raw line break (line ${brokenLine}, column ${BROKEN.length})`,
    }]);
    expect(formatSummary(summary)).toContain('Load errors: 1 record(s) rejected by COPY (sys_load_error_detail)');
  });
});
