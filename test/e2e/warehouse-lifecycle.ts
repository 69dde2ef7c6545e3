/**
 * The warehouse's lifecycle through the real state machine, against the emulated control plane
 * (awsQuery over HTTP, as on AWS): a paused cluster is resumed before the load, a passing state is waited
 * for, any other state fails naming it, and with pauseAfterLoad the cluster the run resumed is paused
 * again, after a failed run too. Shared by two test files: PAUSE_AFTER_LOAD is per process, as per deployment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteClusterCommand, DescribeClustersCommand, PauseClusterCommand, RedshiftClient, ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';
import { startOfflineRunner, type OfflineRunner, type RunOutcome } from '../../src/offline/runner';

const TRANSITION_MS = 400;
const CLUSTER = 'sparkify-offline';

export interface Lifecycle {
  readonly runner: OfflineRunner;
  readonly dataset: GeneratedDataset;
  readonly progress: string[];
  status(): Promise<string | undefined>;
  redshift(): RedshiftClient;
  /** Waits until the emulated cluster reaches `status`. */
  settle(status: string): Promise<void>;
}

export function useLifecycle(pauseAfterLoad: boolean): Lifecycle {
  let tmp: string;
  let runner: OfflineRunner;
  let dataset: GeneratedDataset;
  let redshift: RedshiftClient;
  const progress: string[] = [];
  const status = async () => (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: CLUSTER }))).Clusters?.[0]?.ClusterStatus;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-lifecycle-'));
    const bucket = path.join(tmp, 'bucket');
    dataset = await generateDataset({ outDir: bucket, songs: 20, users: 6, days: 1, eventsPerDay: 60, seed: 'lifecycle' });
    runner = await startOfflineRunner({
      bucketDir: bucket, startPaused: true, transitionMs: TRANSITION_MS, waitMs: 100,
      handlerEnv: { PAUSE_AFTER_LOAD: String(pauseAfterLoad) },
      onProgress: (line) => progress.push(line),
    });
    redshift = new RedshiftClient({ endpoint: runner.warehouse.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' } });
  }, 120_000);
  afterAll(async () => {
    redshift?.destroy();
    await runner?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  return {
    get runner() { return runner; },
    get dataset() { return dataset; },
    progress,
    status,
    redshift: () => redshift,
    async settle(wanted) {
      for (let i = 0; i < 100 && (await status()) !== wanted; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await status()).toBe(wanted);
    },
  };
}

export function succeeded(outcome: RunOutcome) {
  if (!outcome.succeeded) throw new Error(`The run failed in ${outcome.failure.state}: ${outcome.failure.error}: ${outcome.failure.cause}`);
  return outcome;
}

export const ensureLines = (progress: string[]) => progress.filter((line) => line.includes('EnsureWarehouse: warehouse'));

export { CLUSTER, DeleteClusterCommand, PauseClusterCommand, ResumeClusterCommand };
