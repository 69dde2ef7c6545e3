/**
 * The real sample data, where CI keeps it (../shared/data/sparkify-sample beside the repository), and the
 * counts its README gives for a correct load. A clone without it skips the tests that need it and says
 * why; every other test runs on data the repository generates (test/support/dataset.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SAMPLE = path.resolve(__dirname, '../../../shared/data/sparkify-sample');

const SAMPLE_PRESENT = existsSync(path.join(SAMPLE, 'log_json_path.json'));
const SKIPPED = 'skipped: ../shared/data/sparkify-sample not found';

/** The counts in the sample's README, keyed and ordered like `sparkify run --json`. */
export const SAMPLE_COUNTS = {
  staging_events: 8056,
  staging_songs: 71,
  songplays: 6820,
  users: 97,
  songs: 71,
  artists: 69,
  time: 6813,
  songplays_matched: 1,
};

/** Without the sample: the reason in the test's name (verbose output) and on the console (any output). */
function skipping(name: string): string {
  console.warn(`"${name}" ${SKIPPED}`);
  return `${name} (${SKIPPED})`;
}

/** describe() for tests that need the real sample: skipped, saying why, where it is absent. */
export function describeWithSample(name: string, tests: () => void): void {
  if (SAMPLE_PRESENT) describe(name, tests);
  else describe.skip(skipping(name), tests);
}

/** test() for a test that needs the real sample: skipped, saying why, where it is absent. */
export function testWithSample(name: string, fn: () => Promise<unknown>, timeout?: number): void {
  if (SAMPLE_PRESENT) test(name, fn, timeout);
  else test.skip(skipping(name), fn, timeout);
}
