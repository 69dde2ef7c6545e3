/** The `sparkify` command as a user runs it: bin/sparkify spawned as a process, in a scratch working directory. */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExecuteStatementCommand, DescribeStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import type { GeneratedDataset } from '../../src/datagen';
import { CommandProcess, SparkifyProcess, sparkify, type Finished } from '../support/cli';
import { writeTestDataset } from '../support/dataset';
import { SAMPLE, SAMPLE_COUNTS, testWithSample } from '../support/sample';

/** Each of these tests starts the CLI several times, each with its own warehouse: minutes on a busy machine. */
const SLOW = 240_000;
const COUNT_KEYS = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time', 'songplays_matched', 'unusable_records', 'unusable_by_reason'];
const NOTHING_UNUSABLE = { unusable_records: 0, unusable_by_reason: {} };
/** The handlers' structured logs, which must never reach stdout. */
const LOGGING_ON = { env: { POWERTOOLS_LOG_LEVEL: 'INFO' } };

/** `sparkify query`'s table for one row of one number. */
function numberTable(column: string, value: number): string {
  const width = Math.max(column.length, String(value).length);
  return `${column.padStart(width)}\n${'-'.repeat(width)}\n${String(value).padStart(width)}\n(1 row)`;
}

/** Every stderr line is one of the handlers' JSON log records. */
function expectOnlyHandlerLogs(run: Finished): void {
  const lines = run.stderr.trim().split('\n');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'sparkify-etl', level: expect.any(String) });
}

/** Plain progress shows a state's status when it changes, never the same line twice in a row. */
function expectEachStatusOnce(stderr: string): void {
  const last = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const match = /^\[ *[\d.]+s\] ([^:]+): (.*)$/.exec(line);
    if (!match) continue;
    expect(`${match[1]}: ${match[2]}`).not.toBe(`${match[1]}: ${last.get(match[1])}`);
    last.set(match[1], match[2]);
  }
}

describe('sparkify CLI', () => {
  let cwd: string;
  let bucket: string;
  let dataset: GeneratedDataset;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cli-'));
    bucket = path.join(cwd, 'bucket');
    dataset = await writeTestDataset(bucket);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  test('run --json prints only the counts, logs on stderr; query then reads the kept warehouse, one statement or several', async () => {
    const run = await sparkify(cwd, ['run', '--data', bucket, '--json'], LOGGING_ON);
    expect(run.code).toBe(0);
    const counts = JSON.parse(run.stdout);
    expect(Object.keys(counts)).toEqual(COUNT_KEYS);
    expect(counts).toEqual({ ...dataset.expected, ...NOTHING_UNUSABLE });
    expectOnlyHandlerLogs(run);
    expect(run.stderr).toContain('"message":"Statement submitted"');
    expect(existsSync(path.join(cwd, '.sparkify/warehouse'))).toBe(true);

    const table = await sparkify(cwd, ['query', 'SELECT COUNT(*) AS plays FROM songplays']);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(`${numberTable('plays', dataset.expected.songplays)}\n`);

    const json = await sparkify(cwd, ['query', '--json', 'SELECT COUNT(*) AS users FROM users']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ users: dataset.expected.users }]);

    const failed = await sparkify(cwd, ['query', 'SELECT * FROM no_such_table']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('sparkify query: ERROR: relation "no_such_table" does not exist\n');

    // Several statements: each one's result, in order.
    const sql = 'SELECT COUNT(*) AS users FROM users; CREATE TABLE picked AS SELECT song_id FROM songs LIMIT 3; SELECT COUNT(*) AS songs FROM songs;';
    const several = await sparkify(cwd, ['query', sql]);
    expect(several.code).toBe(0);
    expect(several.stdout).toBe(`${numberTable('users', dataset.expected.users)}\n\nOK, 3 rows affected\n\n${numberTable('songs', dataset.expected.songs)}\n`);

    const severalJson = await sparkify(cwd, ['query', '--json', 'SELECT COUNT(*) AS n FROM picked; DROP TABLE picked']);
    expect(severalJson.code).toBe(0);
    expect(JSON.parse(severalJson.stdout)).toEqual([
      { sql: 'SELECT COUNT(*) AS n FROM picked', rows: [{ n: 3 }] },
      { sql: 'DROP TABLE picked', rowsAffected: 0 },
    ]);

    const severalFailed = await sparkify(cwd, ['query', 'SELECT 1; SELECT * FROM picked']);
    expect(severalFailed.code).toBe(1);
    expect(severalFailed.stderr).toBe('sparkify query: ERROR: relation "picked" does not exist (statement 2 of 2: SELECT * FROM picked)\n');
  }, SLOW);

  testWithSample('run --data <the real sample> --json gives the README counts', async () => {
    const warehouse = ['--data-dir', path.join(cwd, 'sample-warehouse')];
    const run = await sparkify(cwd, ['run', '--data', SAMPLE, '--json', ...warehouse]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(SAMPLE_COUNTS);

    const table = await sparkify(cwd, ['query', ...warehouse, 'SELECT level, COUNT(*) AS plays FROM songplays GROUP BY level ORDER BY level']);
    expect(table.stdout).toBe('level  plays\n-----  -----\nfree    1229\npaid    5591\n(2 rows)\n');
  }, SLOW);

  test('run without --data generates the default dataset under .sparkify/ and loads what it predicts', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cli-default-'));
    try {
      const run = await sparkify(scratch, ['run']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('Generating the default dataset');
      expect(run.stderr).toMatch(/PollStageEvents \[all days\]: stageEvents statement [0-9a-f]{8} FINISHED, \d+ rows/);
      expectEachStatusOnce(run.stderr);
      expect(run.stderr).toMatch(/^Run finished in \d+\.\ds; the command took \d+\.\ds in all/m);
      expect(run.stdout).toMatch(/^Row counts\n/);
      expect(run.stdout).toMatch(/^Matched plays: [\d,]+ of [\d,]+ songplays \(\d+\.\d+%\)/m);
      expect(run.stdout).toMatch(/^Quality checks: (\d+) of \1 passed, over 1 load\(s\)$/m);
      expect(run.stdout).toMatch(/^Level changes: /m);
      expect(run.stdout).toContain('Top songs');
      expect(run.stdout).toContain('Plays by hour (UTC)');
      expect(run.stdout).toContain('Free vs paid');
      const manifest = JSON.parse(await readFile(path.join(scratch, '.sparkify/data/generated.json'), 'utf8'));
      const again = await sparkify(scratch, ['run', '--json']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ ...manifest.expected, ...NOTHING_UNUSABLE });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, SLOW);

  test('run --progress live draws one line per stage in place, instead of the plain lines', async () => {
    const run = await sparkify(cwd, ['run', '--data', bucket, '--progress', 'live', '--data-dir', path.join(cwd, 'live-warehouse')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('\u001b[2K'); // log-update erasing the previous frame
    expect(run.stderr).toMatch(/✔ StageEvents \[all days\] +done +\d+\.\ds {2}[\d,]+ rows/);
    expect(run.stderr).toMatch(/✔ ReviewLoad \[all days\] +done +\d+\.\ds {2}(\d+) of \1 checks passed/);
    expect(run.stderr).not.toMatch(/^\[ *[\d.]+s\] /m);
    expect(run.stdout).toMatch(/^Row counts\n/);
  }, SLOW);

  test('a failing run exits 1 naming the failing state, its error and the stage', async () => {
    const emptyBucket = await mkdtemp(path.join(cwd, 'empty-bucket-'));
    const run = await sparkify(cwd, ['run', '--data', emptyBucket, '--data-dir', path.join(cwd, 'failing-warehouse')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Run failed in state PollStage(Events|Songs): StatementFailed: Stage stage(Events|Songs): statement \S+ failed: ERROR: The (specified S3 prefix|JSONPaths file) '[^']+' does not exist/);
  }, SLOW);

  test('a failing run --json prints the failure as JSON on stdout, with the rows so far; logs stay on stderr', async () => {
    const emptyDay = path.join(cwd, 'empty-day-bucket');
    const withEmptyDay = await writeTestDataset(emptyDay);
    await writeFile(path.join(emptyDay, 'log_data/2018/11/2018-11-02-events.json'), '');
    const input = JSON.stringify({ mode: 'incremental', date: '2018-11-02', songs: true });
    const run = await sparkify(cwd, ['run', '--data', emptyDay, '--json', '--input', input, '--data-dir', path.join(cwd, 'empty-day-warehouse')], LOGGING_ON);
    expect(run.code).toBe(1);
    const failure = JSON.parse(run.stdout);
    expect(failure).toEqual({
      state: 'ReviewLoad [2018-11-02]',
      error: 'QualityCheckFailed',
      cause: 'Quality checks failed for 2018-11-02: events_staged (no events in the partition)',
      rowsByStage: expect.objectContaining({ stageEvents: 0, stageSongs: expect.any(Number) }),
      loadErrors: { total: 0, first: [] },
    });
    expect(failure.rowsByStage.stageSongs).toBeGreaterThanOrEqual(withEmptyDay.expected.staging_songs);
    // The state and cause are on stderr as well, after the handlers' JSON log records.
    const lines = run.stderr.trim().split('\n');
    expect(lines.pop()).toBe(`Run failed in state ReviewLoad [2018-11-02]: QualityCheckFailed: ${failure.cause}`);
    expectOnlyHandlerLogs({ ...run, stderr: lines.join('\n') });
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
    [['run', '--progress', 'fancy'], '--progress must be auto, live or plain, got "fancy"'],
    [['run', '--engine', 'embedded', '--database-url', 'postgres://x@127.0.0.1/dev'], '--database-url applies to --engine postgres only'],
    [['query', '--engine', 'embedded', 'SELECT 1'], '--engine embedded is for sparkify run and sparkify emulator'],
    [['run', '--input', 'null'], '--input must be a JSON object'],
    [['run', '--input', '["2018-11-01"]'], '--input must be a JSON object'],
    [['query'], 'sparkify query takes the SQL as one quoted argument'],
    [['query', ' ; '], 'sparkify query takes the SQL as one quoted argument'],
    [['query', '--endpoint', 'localhost', 'SELECT 1'], '--endpoint must be an http(s) URL'],
    [['generate', '--out', 'x', '--songs', 'many'], '--songs must be a whole number of at least 1, got "many"'],
    [['generate', '--out', 'x', '--start-date', '2018-02-31x'], 'sparkify generate: --start-date must be a date as YYYY-MM-DD, got 2018-02-31x'],
    [['generate', '--out', __dirname], `sparkify generate: --out ${__dirname} is not empty; choose a new folder`],
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

  test('npm run bench -- --help prints its usage; a bad flag exits 2 with the usage, not a stack trace', async () => {
    const bench = (args: string[]) => new CommandProcess('npm', path.resolve(__dirname, '../..'), ['run', '--silent', 'bench', '--', ...args]).finished;
    const help = await bench(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run bench -- \[--events N\]/);
    const bad = await bench(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Unknown option '--bogus'/);
    expect(bad.stderr).toContain('Usage: npm run bench');
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });

  test('emulator serves the Data API (the SDK, sparkify query --endpoint) until Ctrl-C, then stops cleanly', async () => {
    // detached: its own process group, so a group SIGINT is what a terminal's Ctrl-C sends.
    const emulator = new SparkifyProcess(cwd, ['emulator', '--port', '0', '--data-dir', path.join(cwd, 'emulator-warehouse')], { detached: true });
    try {
      await emulator.printed('Press Ctrl-C');
      const endpoint = /export AWS_ENDPOINT_URL_REDSHIFT_DATA=(http:\/\/127\.0\.0\.1:\d+)/.exec(emulator.stdout)?.[1];
      expect(endpoint).toBeDefined();
      expect(emulator.stdout).toContain('export AWS_ACCESS_KEY_ID=offline');
      expect(emulator.stdout).toContain('No folder stands for S3 (--data DIR or --s3-root DIR)');
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
      process.kill(-emulator.pid, 'SIGINT');
    }
    expect((await emulator.finished).code).toBe(0);
    expect(emulator.stdout).toContain('Stopped.');
  }, SLOW);

  test('--engine embedded: run loads a PostgreSQL server of its own, which psql-style clients open while the emulator serves it', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'sparkify-cli-embedded-'));
    // Run as root, PostgreSQL runs as the 'postgres' OS user, which must be able to enter the folder.
    await chmod(scratch, 0o755);
    try {
      const run = await sparkify(scratch, ['run', '--engine', 'embedded', '--data', bucket, '--progress', 'plain']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/Starting the local warehouse \(embedded PostgreSQL, postgres:\/\/sparkify:\*\*\*@127\.0\.0\.1:\d+\/dev\)/);
      const url = /psql or DBeaver opens (postgres:\/\/sparkify:\S+@127\.0\.0\.1:\d+\/dev)$/m.exec(run.stderr)?.[1];
      expect(url).toBeDefined();
      const credentials = path.join(scratch, '.sparkify/postgres/credentials.json');
      expect((await stat(credentials)).mode & 0o777).toBe(0o600);

      // detached: its own process group, so the server gets the Ctrl-C too, as in a terminal.
      const emulator = new SparkifyProcess(scratch, ['emulator', '--engine', 'embedded', '--port', '0'], { detached: true });
      try {
        await emulator.printed('Press Ctrl-C');
        expect(emulator.stdout).toContain(`PostgreSQL clients (psql, DBeaver) open the warehouse at ${url}`);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT COUNT(*)::int AS n FROM songplays');
          expect(rows).toEqual([{ n: dataset.expected.songplays }]);
        } finally {
          await client.end();
        }
      } finally {
        process.kill(-emulator.pid, 'SIGINT');
      }
      expect((await emulator.finished).code).toBe(0);
      expect(emulator.stdout).toContain('Stopped.');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, SLOW);

  test('a second stop signal while the emulator closes its warehouse does not kill it half-way', async () => {
    // A second Ctrl-C, or a process manager repeating its stop: the process gets a signal again while
    // PGlite writes its data directory; dying then can leave a directory that no longer opens.
    const warehouseDir = path.join(cwd, 'double-signal-warehouse');
    const emulator = new SparkifyProcess(cwd, ['emulator', '--port', '0', '--data-dir', warehouseDir]);
    await emulator.printed('Press Ctrl-C');
    const endpoint = /export AWS_ENDPOINT_URL_REDSHIFT_DATA=(http:\/\/127\.0\.0\.1:\d+)/.exec(emulator.stdout)![1];
    // Enough written that closing the warehouse takes a moment.
    const write = await sparkify(cwd, ['query', '--endpoint', endpoint, 'CREATE TABLE filler AS SELECT g AS n, md5(g::text) AS s FROM generate_series(1, 200000) AS g']);
    expect(write.code).toBe(0);

    process.kill(emulator.pid, 'SIGTERM');
    await emulator.printed('Stopping the emulator');
    process.kill(emulator.pid, 'SIGTERM');
    expect((await emulator.finished).code).toBe(0);
    expect(emulator.stdout).toContain('Stopped.');

    const reopened = await sparkify(cwd, ['query', '--data-dir', warehouseDir, 'SELECT COUNT(*) AS n FROM filler']);
    expect(reopened.stderr).toBe('');
    expect(reopened.stdout).toBe('     n\n------\n200000\n(1 row)\n');
  }, SLOW);

  // SIGINT to bin/sparkify's own PID is an IDE's or a process manager's stop; SIGTERM is `kill`.
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s to bin/sparkify stops a run between states and closes the warehouse: exit %d, the warehouse still opens', async (signal, status) => {
    const warehouseDir = path.join(cwd, `${signal}-warehouse`);
    const run = new SparkifyProcess(cwd, ['run', '--data', bucket, '--data-dir', warehouseDir]);
    await run.printed('LoadEachDay: started', 'stderr');
    process.kill(run.pid, signal);
    expect((await run.finished).code).toBe(status);
    expect(run.stderr).toContain('Interrupted: stopping the run and the warehouse');
    expect(run.stderr).not.toContain('CountRows: started');

    const reopened = await sparkify(cwd, ['query', '--data-dir', warehouseDir, 'SELECT COUNT(*) AS n FROM songplays']);
    expect(reopened.stderr).toBe('');
    expect(reopened.code).toBe(0);
  }, SLOW);

  test('run --endpoint runs the pipeline against an emulator already running, which can be queried meanwhile', async () => {
    const emulator = new SparkifyProcess(cwd, ['emulator', '--port', '0', '--data', bucket, '--data-dir', path.join(cwd, 'endpoint-warehouse')]);
    try {
      await emulator.printed('Press Ctrl-C');
      const endpoint = /export AWS_ENDPOINT_URL_REDSHIFT_DATA=(http:\/\/127\.0\.0\.1:\d+)/.exec(emulator.stdout)![1];
      const refused = await sparkify(cwd, ['run', '--endpoint', endpoint, '--data', bucket]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--endpoint runs against an emulator that serves its own bucket and warehouse; drop --data');

      const run = await sparkify(cwd, ['run', '--endpoint', endpoint, '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ ...dataset.expected, ...NOTHING_UNUSABLE });
      const plays = await sparkify(cwd, ['query', '--endpoint', endpoint, 'SELECT COUNT(*) AS plays FROM songplays']);
      expect(plays.stdout).toBe(`${numberTable('plays', dataset.expected.songplays)}\n`);
    } finally {
      process.kill(emulator.pid, 'SIGINT');
    }
    expect((await emulator.finished).code).toBe(0);
  }, SLOW);

  test('SIGKILL to bin/sparkify leaves no process behind running the load', async () => {
    const warehouseDir = path.join(cwd, 'killed-warehouse');
    const run = new SparkifyProcess(cwd, ['run', '--data', bucket, '--data-dir', warehouseDir]);
    await run.printed('LoadEachDay: started', 'stderr');
    process.kill(run.pid, 'SIGKILL');
    expect((await run.finished).code).toBe(137);
    // Nothing that was started for this run (its arguments name its warehouse) is still running.
    const processes = await new CommandProcess('ps', cwd, ['-eo', 'pid,args']).finished;
    expect(processes.code).toBe(0);
    expect(processes.stdout.split('\n').filter((line) => line.includes(warehouseDir))).toEqual([]);
  }, SLOW);
});
