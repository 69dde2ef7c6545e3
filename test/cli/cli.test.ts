/** The `sparkify` command as a user runs it: bin/sparkify spawned as a process, in a scratch working directory. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExecuteStatementCommand, DescribeStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SAMPLE, SAMPLE_COUNTS } from '../e2e/sample';

const BIN = path.resolve(__dirname, '../../bin/sparkify');
/** Each of these tests starts the CLI several times, each with its own warehouse: minutes on a busy machine. */
const SLOW = 240_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sparkify(cwd: string, args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The node process bin/sparkify started: the shim's only child. */
function cliProcessOf(shimPid: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const pgrep = spawn('pgrep', ['-P', String(shimPid)]);
    let out = '';
    pgrep.stdout.on('data', (chunk) => (out += chunk));
    pgrep.on('close', (code) => (code === 0 ? resolve(Number(out.trim().split('\n')[0])) : reject(new Error(`no child of ${shimPid}`))));
  });
}

describe('sparkify CLI', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  test('run --json prints only the counts object, and query then reads the kept warehouse', async () => {
    const run = await sparkify(cwd, ['run', '--data', SAMPLE, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const counts = JSON.parse(run.stdout);
    expect(Object.keys(counts)).toEqual(['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time', 'songplays_matched']);
    expect(counts).toEqual(SAMPLE_COUNTS);
    expect(existsSync(path.join(cwd, '.sparkify/warehouse'))).toBe(true);

    const table = await sparkify(cwd, ['query', 'SELECT level, COUNT(*) AS plays FROM songplays GROUP BY level ORDER BY level']);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe('level  plays\n-----  -----\nfree    1229\npaid    5591\n(2 rows)\n');

    const json = await sparkify(cwd, ['query', '--json', "SELECT title FROM songs WHERE song_id = 'SOZCTXZ12AB0182364'"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ title: 'Setanta matins' }]);

    const failed = await sparkify(cwd, ['query', 'SELECT * FROM no_such_table']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('relation "no_such_table" does not exist');
  }, SLOW);

  test('run without --data generates the default dataset under .sparkify/ and loads what it predicts', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cli-default-'));
    try {
      const run = await sparkify(scratch, ['run']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('Generating the default dataset');
      expect(run.stderr).toMatch(/PollStageEvents: stageEvents statement [0-9a-f]{8} FINISHED, \d+ rows/);
      expect(run.stdout).toMatch(/^Row counts\n/);
      expect(run.stdout).toContain('Top songs');
      expect(run.stdout).toContain('Plays by hour (UTC)');
      expect(run.stdout).toContain('Free vs paid');
      const manifest = JSON.parse(await readFile(path.join(scratch, '.sparkify/data/generated.json'), 'utf8'));
      const again = await sparkify(scratch, ['run', '--json']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual(manifest.expected);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, SLOW);

  test('a failing run exits 1 naming the failing state, its error and the stage', async () => {
    const emptyBucket = path.join(cwd, 'empty-bucket');
    await mkdir(emptyBucket);
    const run = await sparkify(cwd, ['run', '--data', emptyBucket, '--data-dir', path.join(cwd, 'failing-warehouse')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Run failed in state PollStage(Events|Songs): StatementFailed: Stage stage(Events|Songs): statement \S+ failed: ERROR: The (specified S3 prefix|JSONPaths file) '[^']+' does not exist/);
  }, SLOW);

  test('generate writes the dataset it is asked for', async () => {
    const out = path.join(cwd, 'generated');
    const result = await sparkify(cwd, ['generate', '--out', out, '--songs', '12', '--users', '4', '--days', '2', '--events-per-day', '30', '--seed', 'cli']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"staging_events":60');
    expect(existsSync(path.join(out, 'log_data/2018/11/2018-11-02-events.json'))).toBe(true);
    expect(existsSync(path.join(out, 'log_json_path.json'))).toBe(true);
  });

  test.each([
    [['run', '--bogus'], "Unknown option '--bogus'"],
    [['run', '--engine', 'oracle'], '--engine must be pglite or postgres, got "oracle"'],
    [['run', '--input', '{not json'], '--input is not JSON'],
    [['run', '--input', 'null'], '--input must be a JSON object'],
    [['run', '--input', '["2018-11-01"]'], '--input must be a JSON object'],
    [['query'], 'sparkify query takes exactly one SQL statement'],
    [['query', '--endpoint', 'localhost', 'SELECT 1'], '--endpoint must be an http(s) URL'],
    [['generate', '--out', 'x', '--songs', 'many'], '--songs must be a whole number of at least 1, got "many"'],
    [['generate', '--out', 'x', '--start-date', '2018-02-31x'], 'startDate must be a date as YYYY-MM-DD, got 2018-02-31x'],
    [['emulator', '--port', '99999'], '--port must be a port number'],
    [['frobnicate'], 'Unknown command "frobnicate"'],
  ])('sparkify %j exits 2 with a clear message', async (args, message) => {
    const result = await sparkify(cwd, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('--help` for usage');
    expect(result.stdout).toBe('');
  });

  test.each(['run', 'emulator', 'query', 'generate'])('sparkify %s --help prints its usage', async (command) => {
    const result = await sparkify(cwd, [command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: sparkify ${command} `));
  });

  test('emulator serves the Data API (the SDK, sparkify query --endpoint) until Ctrl-C, then stops cleanly', async () => {
    // detached: its own process group, so a group SIGINT is what a terminal's Ctrl-C sends.
    const child = spawn(BIN, ['emulator', '--port', '0', '--data-dir', path.join(cwd, 'emulator-warehouse')], { cwd, detached: true });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => stdout.includes('Press Ctrl-C') && resolve());
        child.on('close', () => reject(new Error(`emulator exited early: ${stdout}`)));
      });
      const endpoint = /export AWS_ENDPOINT_URL_REDSHIFT_DATA=(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(endpoint).toBeDefined();
      expect(stdout).toContain('export AWS_ACCESS_KEY_ID=offline');
      expect(stdout).toContain('No folder stands for S3 (--data DIR or --s3-root DIR)');
      const client = new RedshiftDataClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' }, maxAttempts: 1 });
      const { Id } = await client.send(new ExecuteStatementCommand({ ClusterIdentifier: 'sparkify-offline', Database: 'dev', DbUser: 'awsuser', Sql: 'SELECT 1' }));
      let status: string | undefined;
      for (let i = 0; i < 50 && status !== 'FINISHED' && status !== 'FAILED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await client.send(new DescribeStatementCommand({ Id }))).Status;
      }
      client.destroy();
      expect(status).toBe('FINISHED');

      const query = await sparkify(cwd, ['query', '--endpoint', endpoint!, "SELECT 'emulated' AS answer"]);
      expect(query.code).toBe(0);
      expect(query.stdout).toBe('answer\n--------\nemulated\n(1 row)\n');
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped.');
  }, SLOW);

  test('a second stop signal while the emulator closes its warehouse does not kill it half-way', async () => {
    // `kill <group>` or a second Ctrl-C: the process gets a signal again while PGlite writes its data
    // directory; dying then can leave a directory that no longer opens.
    const warehouseDir = path.join(cwd, 'double-signal-warehouse');
    const child = spawn(BIN, ['emulator', '--port', '0', '--data-dir', warehouseDir], { cwd });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const printed = (text: string) => new Promise<void>((resolve, reject) => {
      const check = () => stdout.includes(text) && resolve();
      check();
      child.stdout.on('data', check);
      child.on('close', () => reject(new Error(`emulator exited before printing ${JSON.stringify(text)}: ${stdout}`)));
    });
    await printed('Press Ctrl-C');
    const endpoint = /export AWS_ENDPOINT_URL_REDSHIFT_DATA=(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    // Enough written that closing the warehouse takes a moment.
    const write = await sparkify(cwd, ['query', '--endpoint', endpoint, 'CREATE TABLE filler AS SELECT g AS n, md5(g::text) AS s FROM generate_series(1, 200000) AS g']);
    expect(write.code).toBe(0);

    // Signal the CLI process itself (the shim's child), as a process group signal reaches it.
    const pid = await cliProcessOf(child.pid!);
    process.kill(pid, 'SIGTERM');
    await printed('Stopping the emulator');
    process.kill(pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped.');

    const reopened = await sparkify(cwd, ['query', '--data-dir', warehouseDir, 'SELECT COUNT(*) AS n FROM filler']);
    expect(reopened.stderr).toBe('');
    expect(reopened.stdout).toBe('     n\n------\n200000\n(1 row)\n');
  }, SLOW);

  test('SIGTERM stops a run between states and closes the warehouse: exit 143, the warehouse still opens', async () => {
    const warehouseDir = path.join(cwd, 'sigterm-warehouse');
    const child = spawn(BIN, ['run', '--data', SAMPLE, '--data-dir', warehouseDir], { cwd });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const stagingStarted = new Promise<void>((resolve) => child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('StageData: started')) resolve();
    }));
    await stagingStarted;
    process.kill(await cliProcessOf(child.pid!), 'SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('Interrupted: stopping the run and the warehouse');
    expect(stderr).not.toContain('LoadStar: started');

    const reopened = await sparkify(cwd, ['query', '--data-dir', warehouseDir, 'SELECT COUNT(*) AS n FROM songplays']);
    expect(reopened.stderr).toBe('');
    expect(reopened.code).toBe(0);
  }, SLOW);
});
