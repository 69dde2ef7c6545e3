/**
 * The offline runner with the cluster started paused: the handlers, in-process, reach the emulated
 * control plane through AWS_ENDPOINT_URL_REDSHIFT, so ensureWarehouse really resumes the cluster and
 * pauseWarehouse really pauses it again.
 */
import path from 'node:path';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { startOfflineRunner, type OfflineRunner } from '../../src/offline/runner';
import { invokeLambda, loadHandler } from '../../src/offline/runner/lambda';

const TRANSITION_MS = 300;
const FUNCTIONS = path.resolve(__dirname, '../../functions');

describe('the offline runner with the cluster paused', () => {
  let runner: OfflineRunner;
  let redshift: RedshiftClient;
  const status = async () => (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'sparkify-offline' }))).Clusters?.[0]?.ClusterStatus;

  beforeAll(async () => {
    runner = await startOfflineRunner({ startPaused: true, transitionMs: TRANSITION_MS });
    redshift = new RedshiftClient({ endpoint: runner.warehouse.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' } });
  });
  afterAll(async () => {
    redshift?.destroy();
    await runner?.stop();
  });

  test('the handlers get the control-plane endpoints', () => {
    expect(process.env.AWS_ENDPOINT_URL_REDSHIFT).toBe(runner.warehouse.endpoint);
    expect(process.env.AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS).toBe(runner.warehouse.endpoint);
    expect(process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA).toBe(runner.warehouse.endpoint);
  });

  test('a query is refused while paused; ensureWarehouse resumes the cluster, then reports it ready; pauseWarehouse pauses it', async () => {
    expect(await status()).toBe('paused');
    await expect(runner.warehouse.query('SELECT 1')).rejects.toThrow('Cluster sparkify-offline is paused');

    const ensure = await loadHandler(path.join(FUNCTIONS, 'ensureWarehouse'), 'handler');
    const first = (await invokeLambda(ensure, 'ensureWarehouse', {})) as { status: string; ready: boolean; resumedByRun: boolean };
    expect(first).toMatchObject({ status: 'resuming', ready: false, resumedByRun: true });
    expect(await status()).toBe('resuming');

    await new Promise((resolve) => setTimeout(resolve, TRANSITION_MS * 3));
    const second = await invokeLambda(ensure, 'ensureWarehouse', { warehouse: first });
    expect(second).toMatchObject({ status: 'available', ready: true, resumedByRun: true });
    expect((await runner.warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    const pause = await loadHandler(path.join(FUNCTIONS, 'pauseWarehouse'), 'handler');
    expect(await invokeLambda(pause, 'pauseWarehouse', {})).toEqual({ status: 'pausing' });
    expect(await status()).toBe('pausing');
  });
});
