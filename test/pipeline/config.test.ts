/**
 * Configuration from the environment, the execution input and the run plan made from it, the per-run
 * table names, the SQL each stage submits (COPY, load, publish), and the SQL file splitter.
 */
import { loadConfig } from '../../src/pipeline/config';
import { copyValues, eventSource, fillTemplate } from '../../src/pipeline/copy-sql';
import { loadTables, runTables } from '../../src/pipeline/load-tables';
import {
  DEFAULT_BACKFILL_CONCURRENCY, loadParameters, parseInput, planRun, runIdOf, runInputSchema, type RunInput,
} from '../../src/pipeline/run-input';
import { splitStatements } from '../../src/pipeline/sql-files';
import { scopeOf, stageEventSchema } from '../../src/pipeline/stage-handler';
import { cleanUpSubmission, clientTokenOf, stageSubmission } from '../../src/pipeline/stages';
import { quoteLiteral } from '../../src/sql/quote';

const CLUSTER_ENV = { REDSHIFT_CLUSTER_ID: 'sparkify', REDSHIFT_DB_USER: 'etl_loader' };

describe('loadConfig', () => {
  test('a cluster with a db user gets the documented defaults', () => {
    expect(loadConfig(CLUSTER_ENV)).toEqual({
      target: { kind: 'cluster', clusterId: 'sparkify', database: 'dev', dbUser: 'etl_loader' },
      s3: {
        logData: 's3://udacity-dend/log_data',
        songData: 's3://udacity-dend/song_data',
        logJsonPath: 's3://udacity-dend/log_json_path.json',
        region: 'us-west-2',
        compactedSongs: undefined,
      },
      compaction: { targetBytes: 64 * 1024 * 1024, slices: 2 },
      copyRoleArn: undefined,
      budgets: { copySeconds: 14400, statementSeconds: 3600, warehouseSeconds: 1800 },
      maxErrors: { events: 0, songs: 0 },
      pauseAfterLoad: false,
    });
  });

  test('a serverless workgroup by ARN, with a secret; empty variables count as unset', () => {
    const secretArn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:sparkify-AbCdEf';
    const workgroup = 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/0a1b2c3d-1111-2222-3333-444455556666';
    const config = loadConfig({ REDSHIFT_CLUSTER_ID: '', REDSHIFT_DB_USER: '', REDSHIFT_WORKGROUP: workgroup, REDSHIFT_SECRET_ARN: secretArn, REDSHIFT_DATABASE: 'warehouse' });
    expect(config.target).toEqual({ kind: 'workgroup', workgroup, database: 'warehouse', secretArn });
  });

  test.each([
    [{}, 'Set REDSHIFT_CLUSTER_ID (provisioned cluster) or REDSHIFT_WORKGROUP'],
    [{ ...CLUSTER_ENV, REDSHIFT_WORKGROUP: 'etl' }, 'Set only one of REDSHIFT_CLUSTER_ID and REDSHIFT_WORKGROUP'],
    [{ REDSHIFT_CLUSTER_ID: 'sparkify' }, 'With REDSHIFT_CLUSTER_ID, set exactly one of REDSHIFT_DB_USER and REDSHIFT_SECRET_ARN'],
    [{ ...CLUSTER_ENV, REDSHIFT_CLUSTER_ID: 'Sparkify_1' }, 'Environment variable REDSHIFT_CLUSTER_ID is invalid: "Sparkify_1"'],
    [{ ...CLUSTER_ENV, REDSHIFT_DATABASE: 'dev; drop table users' }, 'Environment variable REDSHIFT_DATABASE is invalid'],
    [{ ...CLUSTER_ENV, S3_LOG_DATA: "s3://udacity-dend/log_data' IAM_ROLE 'x" }, 'Environment variable S3_LOG_DATA is invalid'],
    [{ ...CLUSTER_ENV, S3_SONG_DATA: 'https://udacity-dend/song_data' }, 'Environment variable S3_SONG_DATA is invalid'],
    [{ ...CLUSTER_ENV, S3_REGION: 'us west 2' }, 'Environment variable S3_REGION is invalid'],
    [{ ...CLUSTER_ENV, COPY_ROLE_ARN: 'arn:aws:iam::123:role/short-account' }, 'Environment variable COPY_ROLE_ARN is invalid'],
    [{ ...CLUSTER_ENV, EVENTS_MAXERROR: '100001' }, 'Environment variable EVENTS_MAXERROR is invalid'],
    [{ ...CLUSTER_ENV, S3_COMPACTED_SONGS: "s3://staging/songs' IAM_ROLE 'x" }, 'Environment variable S3_COMPACTED_SONGS is invalid'],
    [{ ...CLUSTER_ENV, S3_COMPACTED_SONGS: 's3://udacity-dend/song_data/compacted' }, 'S3_COMPACTED_SONGS (s3://udacity-dend/song_data/compacted) must not overlap S3_SONG_DATA'],
    [{ ...CLUSTER_ENV, S3_COMPACTED_SONGS: 's3://udacity-dend/song_data_compacted' }, 'must not overlap S3_SONG_DATA'],
    [{ ...CLUSTER_ENV, S3_COMPACTED_SONGS: 's3://udacity-dend/log_data2' }, 'must not overlap S3_LOG_DATA'],
    [{ ...CLUSTER_ENV, COMPACT_TARGET_MB: '0' }, 'Environment variable COMPACT_TARGET_MB is invalid'],
    [{ ...CLUSTER_ENV, COMPACT_SLICES: '-2' }, 'Environment variable COMPACT_SLICES is invalid'],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('run input', () => {
  test('{} and no input at all are the full run: every event as one load, songs staged, a full refresh', () => {
    const full = { plan: { mode: 'full', runId: 'manual', songs: true, compactSongs: false, fullRefresh: true, maxUnusable: 0, concurrency: DEFAULT_BACKFILL_CONCURRENCY }, loads: [{ day: null }] };
    expect(parseInput(runInputSchema, {}, 'execution input')).toEqual({ mode: 'full' });
    expect(planRun({})).toEqual(full);
    // `serverless invoke local -f <stage>` without -d passes an empty string.
    expect(planRun('')).toEqual(full);
    expect(planRun(undefined)).toEqual(full);
    expect(planRun({ mode: 'full', maxUnusable: 3 }).plan).toMatchObject({ mode: 'full', maxUnusable: 3 });
  });

  test('an incremental run loads one day, given as date or as the day before dayBefore (what the schedule sends)', () => {
    expect(planRun({ mode: 'incremental', date: '2018-11-01' })).toEqual({
      plan: { mode: 'incremental', runId: 'manual', songs: false, compactSongs: false, fullRefresh: false, maxUnusable: 0, concurrency: DEFAULT_BACKFILL_CONCURRENCY },
      loads: [{ day: '2018-11-01' }],
    });
    expect(planRun({ mode: 'incremental', dayBefore: '2018-11-02T03:00:00Z' }).loads).toEqual([{ day: '2018-11-01' }]);
    // The UTC day before: 01:00 on the 2nd at +02:00 is still the 1st in UTC.
    expect(planRun({ mode: 'incremental', dayBefore: '2018-11-02T01:00:00+02:00' }).loads).toEqual([{ day: '2018-10-31' }]);
    expect(planRun({ mode: 'incremental', dayBefore: '2019-01-01T00:00:00Z' }).loads).toEqual([{ day: '2018-12-31' }]);
    expect(planRun({ mode: 'incremental', date: '2018-11-01', songs: true, maxUnusable: 2 }).plan).toMatchObject({ songs: true, maxUnusable: 2 });
  });

  test('a backfill loads every day of its range, across a month end, 4 at a time unless told', () => {
    const { plan, loads } = planRun({ mode: 'backfill', from: '2018-11-29', to: '2018-12-02' });
    expect(loads).toEqual([{ day: '2018-11-29' }, { day: '2018-11-30' }, { day: '2018-12-01' }, { day: '2018-12-02' }]);
    expect(plan).toEqual({ mode: 'backfill', runId: 'manual', songs: false, compactSongs: false, fullRefresh: false, maxUnusable: 0, concurrency: 4 });
    expect(planRun({ mode: 'backfill', from: '2018-11-01', to: '2018-11-01', concurrency: 2 })).toMatchObject({ plan: { concurrency: 2 }, loads: [{ day: '2018-11-01' }] });
    expect(planRun({ mode: 'backfill', from: '2018-01-01', to: '2018-12-31' }).loads).toHaveLength(365);
  });

  test("the run id names the run's tables: 12 hex digits of the execution id, the same for the same execution", () => {
    const executionId = 'arn:aws:states:us-west-2:123456789012:execution:sparkify-etl-dev:nightly-1';
    expect(runIdOf(executionId)).toMatch(/^[0-9a-f]{12}$/);
    expect(runIdOf(executionId)).toBe(runIdOf(executionId));
    expect(runIdOf(`${executionId}-again`)).not.toBe(runIdOf(executionId));
    expect(planRun({}, executionId).plan.runId).toBe(runIdOf(executionId));
    expect(runIdOf(undefined)).toBe('manual');
  });

  test.each<[unknown, string]>([
    [{ mode: 'nightly' }, 'mode: must be one of full, incremental, backfill'],
    [{ mode: 'incremental', date: '2018-02-30' }, 'date: is not a calendar date'],
    [{ mode: 'incremental', date: 20181101 }, 'date: must be a date YYYY-MM-DD'],
    [{ mode: 'incremental' }, 'date: give exactly one of date (the day to load) and dayBefore (a time; the UTC day before it is loaded)'],
    [{ mode: 'incremental', date: '2018-11-01', dayBefore: '2018-11-02T03:00:00Z' }, 'date: give exactly one of date'],
    [{ mode: 'incremental', dayBefore: '2018-11-02 03:00' }, 'dayBefore: must be an ISO 8601 timestamp with a zone, e.g. 2018-11-02T03:00:00Z'],
    [{ mode: 'backfill', from: '2018-12-02', to: '2018-11-29' }, 'to: must not be before from'],
    [{ mode: 'backfill', from: '2018-11-01' }, 'to: is missing'],
    [{ mode: 'backfill', from: '2018-01-01', to: '2019-01-02' }, 'to: the range may hold at most 366 days'],
    [{ mode: 'backfill', from: '2018-11-01', to: '2018-11-02', concurrency: 0 }, 'concurrency: Too small'],
    [{ mode: 'full', songs: false }, '(input): Unrecognized key: "songs"'],
    [{ window: { start: '2018-11-01T00:00:00Z' } }, '(input): Unrecognized key: "window"'],
    [{ mode: 'incremental', date: '2018-11-01', maxUnusable: -1 }, 'maxUnusable: Too small'],
    [{ compactSongs: 'yes' }, 'compactSongs: Invalid input: expected boolean'],
    [{ compactSongs: true }, 'compactSongs: compaction is not configured in this deployment (set the compactedSongs parameter, S3_COMPACTED_SONGS)'],
    [{ mode: 'incremental', date: '2018-11-01', compactSongs: true }, 'compactSongs: applies only when the run stages songs; add "songs": true'],
    [[], '(input): Invalid input: expected object, received array'],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => planRun(input)).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(`Invalid execution input: ${message}`) }));
  });

  // The calendar check also runs when the pattern failed: a text Date cannot read must not throw RangeError.
  test.each<[unknown, string]>([
    [{ mode: 'incremental', date: '1 Nov 2018' }, 'date: must be a date YYYY-MM-DD'],
    [{ mode: 'incremental', date: '2018-13-01' }, 'date: is not a calendar date'],
    [{ mode: 'backfill', from: '2018-11-01', to: 'tomorrow' }, 'to: must be a date YYYY-MM-DD'],
  ])('rejects %j naming the field, even where Date cannot read it', (input, message) => {
    expect(() => planRun(input)).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(`Invalid execution input: ${message}`) }));
  });

  test('a stage run by hand takes the execution input under run, and needs one load for a load stage', () => {
    const event = (value: unknown) => parseInput(stageEventSchema, value, 'stageEvents input');
    expect(event({})).toEqual({ wait: false });
    expect(event('')).toEqual({ wait: false });
    expect(scopeOf('stageEvents', event({ run: { mode: 'incremental', date: '2018-11-01' }, wait: true }))).toEqual({
      plan: planRun({ mode: 'incremental', date: '2018-11-01' }).plan, load: { day: '2018-11-01' },
    });
    expect(scopeOf('stageEvents', event({}))).toEqual({ plan: planRun({}).plan, load: { day: null } });
    expect(scopeOf('createTables', event({}))).toEqual({ plan: planRun({}).plan, load: undefined });
    expect(() => scopeOf('checkLoad', event({ run: { mode: 'backfill', from: '2018-11-01', to: '2018-11-02' } })))
      .toThrow('Stage checkLoad loads one day at a time; add "load": {"day": "YYYY-MM-DD"} to the event');
    expect(scopeOf('checkLoad', event({ run: { mode: 'backfill', from: '2018-11-01', to: '2018-11-02' }, load: { day: '2018-11-02' } })).load).toEqual({ day: '2018-11-02' });
    const { plan } = planRun({}, 'execution-1');
    expect(scopeOf('publishLoad', event({ plan, load: { day: null } }))).toEqual({ plan, load: { day: null } });
    expect(() => scopeOf('publishLoad', event({ plan, run: {} }))).toThrow('Give publishLoad either a plan or a run, not both');
  });

  test.each<[unknown, string]>([
    [{ run: { mode: 'incremental', date: '2018-02-30' } }, 'Invalid execution input: date: is not a calendar date'],
    [{ wiat: true }, 'Invalid stageEvents input: (input): Unrecognized key: "wiat"'],
    [{ wait: 'yes' }, 'Invalid stageEvents input: wait: Invalid input: expected boolean'],
    [{ load: { day: '2018-11-31' } }, 'Invalid stageEvents input: load.day: is not a calendar date'],
    [{ plan: { mode: 'full' } }, 'Invalid stageEvents input: plan.runId:'],
  ])('a stage event %j is rejected naming the field', (event, message) => {
    expect(() => scopeOf('stageEvents', parseInput(stageEventSchema, event, 'stageEvents input'))).toThrow(message);
  });

  test("a load's window: one UTC day, end exclusive, or all time; merged unless the run is full", () => {
    const incremental = planRun({ mode: 'incremental', date: '2018-12-31' });
    expect(loadParameters(incremental.plan, incremental.loads[0])).toEqual({ window_start: '2018-12-31 00:00:00', window_end: '2019-01-01 00:00:00', full_refresh: 'false' });
    const full = planRun({});
    expect(loadParameters(full.plan, full.loads[0])).toEqual({ window_start: '1900-01-01 00:00:00', window_end: '3000-01-01 00:00:00', full_refresh: 'true' });
  });
});

describe('run and load tables', () => {
  test('carry the run id and the day, so runs and the days of a backfill never share a table', () => {
    const { plan } = planRun({ mode: 'backfill', from: '2018-11-29', to: '2018-12-02' }, 'execution-1');
    const runId = runIdOf('execution-1');
    expect(runTables(plan)).toEqual({ staging_songs: `staging_songs_${runId}`, load_songs: `load_songs_${runId}`, load_artists: `load_artists_${runId}` });
    expect(loadTables(plan, { day: '2018-11-29' })).toEqual({
      staging_events: `staging_events_${runId}_20181129`, load_songplays: `load_songplays_${runId}_20181129`,
      load_users: `load_users_${runId}_20181129`, load_time: `load_time_${runId}_20181129`,
    });
    expect(loadTables(planRun({}).plan, { day: null })).toEqual({
      staging_events: 'staging_events_manual_all', load_songplays: 'load_songplays_manual_all', load_users: 'load_users_manual_all', load_time: 'load_time_manual_all',
    });
  });

  test('refuses a name that is not a plain identifier', () => {
    const plan = { ...planRun({}).plan, runId: 'x; DROP TABLE users' };
    expect(() => runTables(plan)).toThrow('Refusing table name "staging_songs_x; DROP TABLE users": not a plain identifier');
  });
});

describe('staging COPY SQL', () => {
  test('quoteLiteral doubles single quotes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  test("a day's events COPY reads its partition into the load's own table, with the configured role, region and MAXERROR", () => {
    const config = loadConfig({
      ...CLUSTER_ENV, S3_LOG_DATA: 's3://my-bucket/events/', COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/sparkify-copy', S3_REGION: 'eu-west-1', EVENTS_MAXERROR: '5',
    });
    const { plan, loads } = planRun({ mode: 'incremental', date: '2018-11-01' });
    expect(eventSource(config, loads[0])).toBe('s3://my-bucket/events/2018/11/2018-11-01');
    const [drop, create, copy] = stageSubmission('stageEvents', config, { plan, load: loads[0] }).sqls;
    expect(drop).toMatch(/DROP TABLE IF EXISTS staging_events_manual_20181101$/);
    expect(create).toMatch(/CREATE TABLE staging_events_manual_20181101 \(/);
    expect(copy).toContain("COPY staging_events_manual_20181101\nFROM 's3://my-bucket/events/2018/11/2018-11-01'\nIAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-copy'\n"
      + "REGION 'eu-west-1'\nFORMAT AS JSON 's3://udacity-dend/log_json_path.json'\nTIMEFORMAT 'epochmillisecs'\nMAXERROR 5");
    // A full run reads the whole prefix.
    const full = planRun({});
    expect(stageSubmission('stageEvents', config, { plan: full.plan, load: full.loads[0] }).sqls[2]).toContain("FROM 's3://my-bucket/events'\n");
  });

  test("the songs COPY reads JSON 'auto' with the cluster's default role, then the catalogue is built; without songs, no COPY", () => {
    const config = loadConfig(CLUSTER_ENV);
    const withSongs = stageSubmission('stageSongs', config, { plan: planRun({}).plan }).sqls;
    expect(withSongs).toHaveLength(6);
    expect(withSongs[2]).toContain("COPY staging_songs_manual\nFROM 's3://udacity-dend/song_data'\nIAM_ROLE default\nREGION 'us-west-2'\nFORMAT AS JSON 'auto'\nMAXERROR 0");
    expect(withSongs.join('\n')).not.toContain('{{');
    const withoutSongs = stageSubmission('stageSongs', config, { plan: planRun({ mode: 'incremental', date: '2018-11-01' }).plan }).sqls;
    expect(withoutSongs).toEqual(withSongs.filter((sql) => !/^\s*COPY /m.test(sql)));
    expect(withoutSongs).toHaveLength(5);
  });

  test('with compaction the songs COPY reads the run\'s manifest, keyed by the run id; compaction is off unless asked for', () => {
    const config = loadConfig({ ...CLUSTER_ENV, S3_COMPACTED_SONGS: 's3://sparkify-staging/compacted_songs/', COMPACT_TARGET_MB: '8', COMPACT_SLICES: '4' });
    expect(config.s3.compactedSongs).toBe('s3://sparkify-staging/compacted_songs');
    expect(config.compaction).toEqual({ targetBytes: 8 * 1024 * 1024, slices: 4 });
    const compacted = planRun({ compactSongs: true }, 'execution-1', { compactionConfigured: true });
    expect(compacted.plan).toMatchObject({ compactSongs: true, songs: true, runId: runIdOf('execution-1') });
    const sqls = stageSubmission('stageSongs', config, { plan: compacted.plan }).sqls;
    expect(sqls[2]).toContain(`FROM 's3://sparkify-staging/compacted_songs/${runIdOf('execution-1')}/manifest.json'\nIAM_ROLE default\nREGION 'us-west-2'\nMANIFEST\nFORMAT AS JSON 'auto'`);
    // Configured but not asked for: the plain prefix, as before.
    expect(planRun({}, 'execution-1', { compactionConfigured: true }).plan.compactSongs).toBe(false);
    expect(stageSubmission('stageSongs', config, { plan: planRun({}).plan }).sqls[2]).toContain("FROM 's3://udacity-dend/song_data'\nIAM_ROLE default\nREGION 'us-west-2'\nFORMAT");
    expect(planRun({ mode: 'backfill', from: '2018-11-01', to: '2018-11-02', songs: true, compactSongs: true }, undefined, { compactionConfigured: true }).plan.compactSongs).toBe(true);
  });

  test('a placeholder without a value is an error, never left in the SQL', () => {
    expect(() => fillTemplate('COPY t FROM {{source}} {{nope}}', copyValues('s3://b/p', 0, loadConfig(CLUSTER_ENV)))).toThrow('{{nope}} has no value');
  });
});

describe('stage SQL', () => {
  const config = loadConfig(CLUSTER_ENV);
  const day = planRun({ mode: 'incremental', date: '2018-11-01' });
  const scope = { plan: day.plan, load: day.loads[0] };

  test('splitStatements splits on top-level semicolons only, keeping quotes, identifiers and comments intact', () => {
    const sql = `-- header; not a split\nSELECT 'a;b', "c;d" FROM t; /* x; y */ DELETE FROM u WHERE v = 'it''s;';\n-- trailing comment;\n`;
    expect(splitStatements(sql)).toEqual([
      `-- header; not a split\nSELECT 'a;b', "c;d" FROM t`,
      `/* x; y */ DELETE FROM u WHERE v = 'it''s;'`,
    ]);
  });

  test('every stage has SQL; checkLoad builds and checks the load beside the published tables, with its window as parameters', () => {
    expect(stageSubmission('createTables', config, scope).sqls).toHaveLength(5);
    expect(stageSubmission('countRows', config, scope).sqls).toHaveLength(1);
    const check = stageSubmission('checkLoad', config, scope);
    expect(check.sqls).toHaveLength(6);
    expect(check.parameters).toEqual(loadParameters(scope.plan, scope.load));
    // The last two results are the checks and the accounting, which reviewLoad reads.
    expect(check.sqls[4]).toMatch(/SELECT check_name, failures/);
    expect(check.sqls[5]).toMatch(/SELECT measure, amount/);
    expect(check.sqls.join('\n')).not.toMatch(/(INSERT INTO|DELETE FROM) (songplays|users|songs|artists|time)\b/);
    expect(() => stageSubmission('checkLoad', config, { plan: scope.plan })).toThrow('Stage checkLoad works on one load; none was given');
  });

  test('publishLoad is one batch: lock, delete-then-insert (no TRUNCATE, which commits), then drop the load tables', () => {
    const publish = stageSubmission('publishLoad', config, scope);
    expect(publish.parameters).toEqual({ window_start: '2018-11-01 00:00:00', window_end: '2018-11-02 00:00:00', full_refresh: 'false' });
    expect(publish.sqls[0]).toMatch(/LOCK songplays, users, songs, artists, time$/);
    expect(publish.sqls.filter((s) => /^\s*(--[^\n]*\n\s*)*DELETE/.test(s))).toHaveLength(6);
    expect(publish.sqls.filter((s) => /^\s*(--[^\n]*\n\s*)*INSERT/.test(s))).toHaveLength(5);
    expect(publish.sqls.join('\n')).not.toMatch(/^\s*TRUNCATE\b/im);
    expect(publish.sqls.at(-1)).toMatch(/DROP TABLE load_songplays_manual_20181101, load_users_manual_20181101, load_time_manual_20181101, staging_events_manual_20181101$/);
  });

  test('cleanUp drops a load\'s tables, or the run\'s own', () => {
    expect(cleanUpSubmission(scope).sqls).toEqual(['DROP TABLE IF EXISTS staging_events_manual_20181101, load_songplays_manual_20181101, load_users_manual_20181101, load_time_manual_20181101']);
    expect(cleanUpSubmission({ plan: scope.plan }).sqls).toEqual(['DROP TABLE IF EXISTS staging_songs_manual, load_songs_manual, load_artists_manual']);
  });

  test('a client token is the same on a retry of the same submission, and new for each load, attempt and run; none by hand', () => {
    const run = (input: RunInput, id: string) => planRun(input, id);
    const backfill = run({ mode: 'backfill', from: '2018-11-01', to: '2018-11-02' }, 'execution-1');
    const [first, second] = backfill.loads.map((load) => ({ plan: backfill.plan, load }));
    const token = clientTokenOf('stageEvents', first, 1);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(stageSubmission('stageEvents', config, first).clientToken).toBe(token);
    expect(clientTokenOf('stageEvents', first, 1)).toBe(token);
    const others = [
      clientTokenOf('stageEvents', first, 2), clientTokenOf('stageEvents', second, 1), clientTokenOf('checkLoad', first, 1),
      clientTokenOf('stageEvents', { plan: run({ mode: 'backfill', from: '2018-11-01', to: '2018-11-02' }, 'execution-2').plan, load: first.load }, 1),
    ];
    expect(new Set([token, ...others]).size).toBe(5);
    expect(stageSubmission('stageEvents', config, scope).clientToken).toBeUndefined();
  });

  // Were they one, DropFailedLoad and CleanUpRun of a full run would share a token and the second DROP never run.
  test("cleanUp of the all-days load and cleanUp of the run have different client tokens", () => {
    const { plan, loads } = planRun({}, 'execution-1');
    expect(cleanUpSubmission({ plan, load: loads[0] }).clientToken).not.toBe(cleanUpSubmission({ plan }).clientToken);
  });
});
