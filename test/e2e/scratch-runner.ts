/**
 * For a describe block that runs on a bucket of its own: a scratch folder, the bucket written into it,
 * and an offline runner on that bucket, started before the block's tests and stopped and removed after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startOfflineRunner, type OfflineRunner, type OfflineRunnerOptions } from '../../src/offline/runner';

export function runnerOnScratchBucket(
  writeBucket: (bucket: string) => Promise<unknown>,
  options: Omit<OfflineRunnerOptions, 'bucketDir'> = {},
): { readonly runner: OfflineRunner } {
  let tmp: string | undefined;
  let runner: OfflineRunner | undefined;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-scratch-'));
    const bucket = path.join(tmp, 'bucket');
    await writeBucket(bucket);
    runner = await startOfflineRunner({ ...options, bucketDir: bucket });
  });
  afterAll(async () => {
    await runner?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });
  return {
    get runner() {
      if (!runner) throw new Error('The offline runner starts in beforeAll');
      return runner;
    },
  };
}
