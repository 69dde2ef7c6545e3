/**
 * The real sample data, where CI keeps it (../shared/data/sparkify-sample beside the repository), and the
 * counts its README gives for a correct load. A clone without it skips the tests that need it and says
 * why; every other test runs on data the repository generates (test/support/dataset.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SAMPLE = path.resolve(__dirname, '../../../shared/data/sparkify-sample');

export const SAMPLE_PRESENT = existsSync(path.join(SAMPLE, 'log_json_path.json'));
export const SKIPPED = 'skipped: ../shared/data/sparkify-sample not found';

/** The counts in the sample's README (which holds no unusable record), keyed and ordered like `sparkify run --json`. */
export const SAMPLE_COUNTS = {
  staging_events: 8056,
  staging_songs: 71,
  songplays: 6820,
  users: 97,
  songs: 71,
  artists: 69,
  time: 6813,
  songplays_matched: 1,
  unusable_records: 0,
  unusable_by_reason: {},
};

/**
 * describe() for tests that need the real sample: where it is absent, skipped with the reason in the name
 * (jest --verbose, --json); jest's global setup says it once in any output.
 */
export function describeWithSample(name: string, tests: () => void): void {
  if (SAMPLE_PRESENT) describe(name, tests);
  else describe.skip(`${name} (${SKIPPED})`, tests);
}

/** test() for a test that needs the real sample, skipped as describeWithSample's are. */
export function testWithSample(name: string, fn: () => Promise<unknown>, timeout?: number): void {
  if (SAMPLE_PRESENT) test(name, fn, timeout);
  else test.skip(`${name} (${SKIPPED})`, fn, timeout);
}
