/**
 * `sparkify cluster status|pause|resume` against a running `sparkify emulator --paused`, both spawned
 * as a user runs them, and its usage errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SparkifyProcess, sparkify } from '../support/cli';

const SLOW = 120_000;

describe('sparkify cluster', () => {
  let cwd: string;
  let emulator: SparkifyProcess;
  let endpoint: string;
  /** The test's environment without AWS settings, so nothing reaches a real account. */
  let env: Record<string, string>;

  const cluster = (...args: string[]) => sparkify(cwd, ['cluster', ...args], { env });

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cluster-'));
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => !entry[0].startsWith('AWS_') && entry[1] !== undefined)),
      AWS_CONFIG_FILE: path.join(cwd, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'no-credentials'),
    };
    emulator = new SparkifyProcess(cwd, ['emulator', '--port', '0', '--paused', '--data-dir', path.join(cwd, 'warehouse')]);
    await emulator.printed('Press Ctrl-C');
    endpoint = /export AWS_ENDPOINT_URL_REDSHIFT=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(emulator.stdout)![1];
  }, SLOW);
  afterAll(async () => {
    if (emulator) {
      emulator.child.kill('SIGTERM');
      await emulator.finished;
    }
    await rm(cwd, { recursive: true, force: true });
  }, SLOW);

  test('the emulator prints the control-plane endpoints and says the cluster is paused', () => {
    expect(emulator.stdout).toContain(`export AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS=${endpoint}`);
    expect(emulator.stdout).toContain(`export AWS_ENDPOINT_URL_REDSHIFT_DATA=${endpoint}`);
    expect(emulator.stdout).toContain('The cluster sparkify-offline is paused');
  });

  test('status, a refused pause, a query refused while paused, resume, then available and queryable', async () => {
    expect(await cluster('status', '--endpoint', endpoint)).toMatchObject({ code: 0, stdout: 'sparkify-offline: paused\n' });
    const json = await cluster('status', '--endpoint', endpoint, '--json', '--cluster', 'sparkify-offline');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ clusterId: 'sparkify-offline', status: 'paused' });

    const pause = await cluster('pause', '--endpoint', endpoint);
    expect(pause.code).toBe(1);
    expect(pause.stderr).toBe('sparkify cluster pause: InvalidClusterStateFault: You can only pause an ACTIVE Cluster\n');
    expect(pause.stdout).toBe('');

    const query = await sparkify(cwd, ['query', '--endpoint', endpoint, 'SELECT 1 AS one'], { env });
    expect(query.code).toBe(1);
    expect(query.stderr).toContain('Cluster sparkify-offline is paused: it accepts no connections until it is available.');

    expect(await cluster('resume', '--endpoint', endpoint)).toMatchObject({ code: 0, stdout: 'sparkify-offline: resuming\n' });
    // The emulator's default transition is a few seconds.
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline) {
      status = JSON.parse((await cluster('status', '--endpoint', endpoint, '--json')).stdout).status;
      if (status === 'available') break;
      expect(status).toBe('resuming');
    }
    expect(status).toBe('available');
    expect(await sparkify(cwd, ['query', '--endpoint', endpoint, 'SELECT 1 AS one', '--json'], { env })).toMatchObject({ code: 0, stdout: '[\n  {\n    "one": 1\n  }\n]\n' });
  }, SLOW);

  test('an unknown cluster exits 1 with the API error', async () => {
    const result = await cluster('status', '--endpoint', endpoint, '--cluster', 'nope');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('sparkify cluster status: ClusterNotFoundFault: Cluster nope not found.\n');
  }, SLOW);

  test('against AWS (no --endpoint) it uses the default credential chain and region: none here, so exit 1 saying so', async () => {
    const result = await cluster('status', '--cluster', 'my-cluster');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sparkify cluster status: .*Region is missing/);
  }, SLOW);

  test.each([
    [[], 'sparkify cluster takes one action, status, pause or resume'],
    [['reboot'], 'sparkify cluster takes one action, status, pause or resume, got reboot'],
    [['status', 'extra'], 'got status extra'],
    [['status'], 'sparkify cluster needs --cluster ID when it calls AWS (no --endpoint)'],
    [['status', '--endpoint', 'localhost:5439'], '--endpoint must be an http(s) URL'],
    [['status', '--bogus'], "Unknown option '--bogus'"],
  ])('sparkify cluster %j exits 2 with a clear message', async (args, message) => {
    const result = await cluster(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run `sparkify cluster --help` for usage');
  }, SLOW);

  test('--help prints its usage', async () => {
    const result = await cluster('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: sparkify cluster status\|pause\|resume /);
  }, SLOW);
});
