/**
 * The emulator's Redshift control plane (awsQuery) and Redshift Serverless GetWorkgroup, through the
 * real SDK clients over HTTP, and through the AWS CLI and boto3 where they are installed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  PauseClusterCommand,
  RedshiftClient,
  RedshiftServiceException,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { ExecuteStatementCommand, ListDatabasesCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { startEmulator, type RunningEmulator } from '../../../src/offline/emulator';

const run = promisify(execFile);
// Long enough that a loaded machine still sees pausing and resuming before they end.
const TRANSITION_MS = 500;
const CLUSTER = 'sparkify-offline';
const config = { region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error an SDK call rejects with, to assert its name, message and HTTP status. */
async function failure(call: Promise<unknown>): Promise<RedshiftServiceException> {
  try {
    await call;
  } catch (error) {
    return error as RedshiftServiceException;
  }
  throw new Error('expected the call to fail');
}

function missing(command: string, args: string[]): string | undefined {
  const answer = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return answer.status === 0 ? undefined : `${command} ${args.join(' ')} failed`;
}
const AWS_CLI_MISSING = missing('aws', ['--version']);
const BOTO3_MISSING = missing('python3', ['-c', 'import boto3']);

describe('the emulated Redshift control plane', () => {
  let emulator: RunningEmulator;
  let redshift: RedshiftClient;
  let serverless: RedshiftServerlessClient;
  let data: RedshiftDataClient;

  const status = async (ClusterIdentifier = CLUSTER) =>
    (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier }))).Clusters?.[0]?.ClusterStatus;
  /** Waits out a transition, with room for a loaded machine. */
  const settle = () => sleep(TRANSITION_MS * 3);
  const execute = () => data.send(new ExecuteStatementCommand({ ClusterIdentifier: CLUSTER, Database: 'dev', DbUser: 'awsuser', Sql: 'select 1' }));

  beforeAll(async () => {
    emulator = await startEmulator({ clusterId: CLUSTER, controlPlane: { transitionMs: TRANSITION_MS } });
    redshift = new RedshiftClient({ ...config, endpoint: emulator.endpoint, maxAttempts: 1 });
    serverless = new RedshiftServerlessClient({ ...config, endpoint: emulator.endpoint, maxAttempts: 1 });
    data = new RedshiftDataClient({ ...config, endpoint: emulator.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    redshift?.destroy();
    serverless?.destroy();
    data?.destroy();
    await emulator?.stop();
  });

  test('DescribeClusters lists the offline cluster, available, with or without an identifier', async () => {
    const all = await redshift.send(new DescribeClustersCommand({}));
    expect(all.Clusters).toEqual([
      expect.objectContaining({ ClusterIdentifier: CLUSTER, ClusterStatus: 'available', ClusterAvailabilityStatus: 'Available', DBName: 'dev', MasterUsername: 'awsuser', NumberOfNodes: 1 }),
    ]);
    expect(all.Clusters![0].ClusterCreateTime).toBeInstanceOf(Date);
    expect(await status()).toBe('available');
  });

  test('an unknown cluster is ClusterNotFoundFault (404) for describe, pause, resume and delete', async () => {
    for (const command of [
      new DescribeClustersCommand({ ClusterIdentifier: 'nope' }),
      new PauseClusterCommand({ ClusterIdentifier: 'nope' }),
      new ResumeClusterCommand({ ClusterIdentifier: 'nope' }),
      new DeleteClusterCommand({ ClusterIdentifier: 'nope', SkipFinalClusterSnapshot: true }),
    ]) {
      const error = await failure(redshift.send(command as never));
      expect(error.name).toBe('ClusterNotFoundFault');
      expect(error.message).toBe('Cluster nope not found.');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });

  test('pause: pausing, then paused; the Data API refuses the cluster meanwhile; resume: resuming, then available', async () => {
    const paused = await redshift.send(new PauseClusterCommand({ ClusterIdentifier: CLUSTER }));
    expect(paused.Cluster).toEqual(expect.objectContaining({ ClusterIdentifier: CLUSTER, ClusterStatus: 'pausing' }));
    expect(await status()).toBe('pausing');
    const whilePausing = await failure(execute());
    expect(whilePausing.name).toBe('ValidationException');
    expect(whilePausing.message).toMatch(/^Cluster sparkify-offline is pausing: it accepts no connections/);

    const early = await failure(redshift.send(new ResumeClusterCommand({ ClusterIdentifier: CLUSTER })));
    expect(early.name).toBe('InvalidClusterStateFault');
    expect(early.message).toBe('You can only resume a PAUSED Cluster (cluster sparkify-offline is pausing)');

    await settle();
    expect(await status()).toBe('paused');
    const again = await failure(redshift.send(new PauseClusterCommand({ ClusterIdentifier: CLUSTER })));
    expect(again.name).toBe('InvalidClusterStateFault');
    expect(again.message).toBe('You can only pause an ACTIVE Cluster');
    expect(again.$metadata.httpStatusCode).toBe(400);

    const whilePaused = await failure(execute());
    expect(whilePaused.name).toBe('ValidationException');
    expect(whilePaused.$metadata.httpStatusCode).toBe(400);
    expect(whilePaused.message).toBe(
      'Cluster sparkify-offline is paused: it accepts no connections until it is available. Resume it with ResumeCluster and wait for the status available.',
    );
    expect((await failure(data.send(new ListDatabasesCommand({ ClusterIdentifier: CLUSTER, Database: 'dev', DbUser: 'awsuser' })))).name).toBe('ValidationException');

    const resumed = await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: CLUSTER }));
    expect(resumed.Cluster?.ClusterStatus).toBe('resuming');
    expect((await failure(execute())).message).toMatch(/is resuming/);
    await settle();
    expect(await status()).toBe('available');
    expect((await execute()).Id).toEqual(expect.any(String));
  });

  test('CreateCluster: creating, then available; a second one with the same id is ClusterAlreadyExistsFault; DeleteCluster: deleting, then gone', async () => {
    const created = await redshift.send(
      new CreateClusterCommand({ ClusterIdentifier: 'extra', NodeType: 'ra3.large', MasterUsername: 'admin', MasterUserPassword: 'Secret-123', DBName: 'analytics' }),
    );
    expect(created.Cluster).toEqual(expect.objectContaining({ ClusterIdentifier: 'extra', ClusterStatus: 'creating', NodeType: 'ra3.large', DBName: 'analytics' }));
    const duplicate = await failure(redshift.send(new CreateClusterCommand({ ClusterIdentifier: 'extra', NodeType: 'ra3.large', MasterUsername: 'admin' })));
    expect(duplicate.name).toBe('ClusterAlreadyExistsFault');
    expect(duplicate.message).toBe('Cluster already exists');
    expect((await failure(redshift.send(new DeleteClusterCommand({ ClusterIdentifier: 'extra', SkipFinalClusterSnapshot: true })))).name).toBe('InvalidClusterStateFault');

    await settle();
    expect(await status('extra')).toBe('available');
    expect((await redshift.send(new DescribeClustersCommand({}))).Clusters?.map((cluster) => cluster.ClusterIdentifier)).toEqual([CLUSTER, 'extra']);
    const deleted = await redshift.send(new DeleteClusterCommand({ ClusterIdentifier: 'extra', SkipFinalClusterSnapshot: true }));
    expect(deleted.Cluster?.ClusterStatus).toBe('deleting');
    await settle();
    expect((await failure(status('extra'))).name).toBe('ClusterNotFoundFault');
  });

  test('GetWorkgroup: the offline workgroup is AVAILABLE; another is ResourceNotFoundException', async () => {
    const { workgroup } = await serverless.send(new GetWorkgroupCommand({ workgroupName: 'sparkify-offline' }));
    expect(workgroup).toEqual(expect.objectContaining({ workgroupName: 'sparkify-offline', status: 'AVAILABLE' }));
    expect(workgroup?.creationDate).toBeInstanceOf(Date);
    const error = await failure(serverless.send(new GetWorkgroupCommand({ workgroupName: 'other' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe('Workgroup other not found.');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  test('an awsQuery action the emulator does not model is InvalidAction, in awsQuery XML', async () => {
    const response = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=RebootCluster&Version=2012-12-01&ClusterIdentifier=sparkify-offline',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^<ErrorResponse xmlns="http:\/\/redshift.amazonaws.com\/doc\/2012-12-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>.*RebootCluster.*<\/Message><\/Error><RequestId>[0-9a-f-]+<\/RequestId><\/ErrorResponse>$/);
  });

  describe('independent clients', () => {
    const env = () => ({
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    const aws = async (...args: string[]) => {
      const { stdout } = await run('aws', ['redshift', ...args, '--endpoint-url', emulator.endpoint, '--output', 'json'], { env: env() });
      return JSON.parse(stdout);
    };

    (AWS_CLI_MISSING ? test.skip : test)(`the AWS CLI describes, pauses and resumes the cluster${AWS_CLI_MISSING ? ` (skipped: ${AWS_CLI_MISSING})` : ''}`, async () => {
      expect((await aws('describe-clusters')).Clusters[0].ClusterStatus).toBe('available');
      expect((await aws('pause-cluster', '--cluster-identifier', CLUSTER)).Cluster.ClusterStatus).toBe('pausing');
      await settle();
      expect((await aws('describe-clusters', '--cluster-identifier', CLUSTER)).Clusters[0].ClusterStatus).toBe('paused');
      expect((await aws('resume-cluster', '--cluster-identifier', CLUSTER)).Cluster.ClusterStatus).toBe('resuming');
      await settle();
      expect((await aws('describe-clusters', '--cluster-identifier', CLUSTER)).Clusters[0].ClusterStatus).toBe('available');
      const notFound = await run('aws', ['redshift', 'describe-clusters', '--cluster-identifier', 'nope', '--endpoint-url', emulator.endpoint], { env: env() }).catch((error) => error);
      expect(notFound.stderr).toContain('An error occurred (ClusterNotFound) when calling the DescribeClusters operation: Cluster nope not found.');
    });

    (BOTO3_MISSING ? test.skip : test)(`boto3 describes, pauses and resumes the cluster, and sees InvalidClusterStateFault${BOTO3_MISSING ? ` (skipped: ${BOTO3_MISSING})` : ''}`, async () => {
      const script = `
import sys, time, boto3
client = boto3.client('redshift', endpoint_url=sys.argv[1])
status = lambda: client.describe_clusters(ClusterIdentifier='${CLUSTER}')['Clusters'][0]['ClusterStatus']
print(status())
print(client.pause_cluster(ClusterIdentifier='${CLUSTER}')['Cluster']['ClusterStatus'])
try:
    client.resume_cluster(ClusterIdentifier='${CLUSTER}')
except client.exceptions.InvalidClusterStateFault as error:
    print(error.response['Error']['Code'])
time.sleep(${(TRANSITION_MS * 3) / 1000})
print(status())
print(client.resume_cluster(ClusterIdentifier='${CLUSTER}')['Cluster']['ClusterStatus'])
time.sleep(${(TRANSITION_MS * 3) / 1000})
print(status())
`;
      const { stdout } = await run('python3', ['-c', script, emulator.endpoint], { env: env() });
      expect(stdout.trim().split('\n')).toEqual(['available', 'pausing', 'InvalidClusterState', 'paused', 'resuming', 'available']);
    });
  });
});

describe('an emulator started paused', () => {
  test('the cluster is paused, the Data API refuses it, and a resume makes it available', async () => {
    const emulator = await startEmulator({ clusterId: CLUSTER, startPaused: true, controlPlane: { transitionMs: 50 } });
    const redshift = new RedshiftClient({ ...config, endpoint: emulator.endpoint, maxAttempts: 1 });
    const data = new RedshiftDataClient({ ...config, endpoint: emulator.endpoint, maxAttempts: 1 });
    try {
      const statusOf = async () => (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: CLUSTER }))).Clusters?.[0]?.ClusterStatus;
      expect(await statusOf()).toBe('paused');
      const sql = new ExecuteStatementCommand({ ClusterIdentifier: CLUSTER, Database: 'dev', DbUser: 'awsuser', Sql: 'select 1' });
      expect((await failure(data.send(sql))).message).toMatch(/^Cluster sparkify-offline is paused/);
      await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: CLUSTER }));
      await sleep(300);
      expect(await statusOf()).toBe('available');
      expect((await data.send(sql)).Id).toEqual(expect.any(String));
    } finally {
      redshift.destroy();
      data.destroy();
      await emulator.stop();
    }
  });
});
