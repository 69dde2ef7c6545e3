/** Configuration from the environment, the COPY SQL built from it, and the SQL file splitter. */
import { loadConfig } from '../../src/pipeline/config';
import { copyValues, fillTemplate } from '../../src/pipeline/copy-sql';
import { quoteLiteral } from '../../src/sql/quote';
import { parseInput, stageEventSchema, starParameters } from '../../src/pipeline/run-input';
import { splitStatements } from '../../src/pipeline/sql-files';
import { stageSubmission } from '../../src/pipeline/stages';

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
      },
      copyRoleArn: undefined,
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
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('staging COPY SQL', () => {
  test('quoteLiteral doubles single quotes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  test('the events COPY uses the configured locations, jsonpaths, region, role and epoch-millisecond times', () => {
    const config = loadConfig({ ...CLUSTER_ENV, S3_LOG_DATA: 's3://my-bucket/events/2018', COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/sparkify-copy', S3_REGION: 'eu-west-1' });
    const [truncate, copy] = stageSubmission('stageEvents', config, {}).sqls;
    expect(truncate).toMatch(/TRUNCATE staging_events$/);
    expect(copy).toContain("COPY staging_events\nFROM 's3://my-bucket/events/2018'\nIAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-copy'\nREGION 'eu-west-1'\nFORMAT AS JSON 's3://udacity-dend/log_json_path.json'\nTIMEFORMAT 'epochmillisecs'");
  });

  test("the songs COPY reads JSON 'auto' with the cluster's default role when no role is configured", () => {
    const [truncate, copy] = stageSubmission('stageSongs', loadConfig(CLUSTER_ENV), {}).sqls;
    expect(truncate).toMatch(/TRUNCATE staging_songs$/);
    expect(copy).toContain("FROM 's3://udacity-dend/song_data'\nIAM_ROLE default\nREGION 'us-west-2'\nFORMAT AS JSON 'auto'");
    expect(copy).not.toContain('{{');
  });

  test('a placeholder without a value is an error, never left in the SQL', () => {
    expect(() => fillTemplate('COPY t FROM {{source}} {{nope}}', copyValues('staging_songs', loadConfig(CLUSTER_ENV)))).toThrow('{{nope}} has no value');
  });
});

describe('run input', () => {
  test('{} is the default load: all time, a full refresh, and wait defaults to false', () => {
    expect(parseInput(stageEventSchema, {}, 'input')).toEqual({ run: {}, wait: false });
    // No input at all, as `serverless invoke local -f <stage>` without -d gives it: an empty string.
    expect(parseInput(stageEventSchema, '', 'input')).toEqual({ run: {}, wait: false });
    expect(parseInput(stageEventSchema, undefined, 'input')).toEqual({ run: {}, wait: false });
    expect(starParameters({})).toEqual({ window_start: '1900-01-01 00:00:00', window_end: '3000-01-01 00:00:00', full_refresh: 'true' });
  });

  test('a window becomes UTC timestamp parameters of the star load, merging the dimensions', () => {
    const run = { window: { start: '2018-11-01T00:00:00Z', end: '2018-11-02T01:00:00+01:00' } };
    expect(starParameters(run)).toEqual({ window_start: '2018-11-01 00:00:00.000', window_end: '2018-11-02 00:00:00.000', full_refresh: 'false' });
    expect(stageSubmission('loadStar', loadConfig(CLUSTER_ENV), run).parameters).toEqual(starParameters(run));
  });

  test.each([
    [{ run: { window: { start: 'yesterday', end: '2018-11-02T00:00:00Z' } } }, 'run.window.start: must be an ISO 8601 timestamp'],
    [{ run: { window: { start: '2018-11-02T00:00:00Z', end: '2018-11-01T00:00:00Z' } } }, 'run.window.end: start must be before end'],
    [{ run: { window: { start: '2018-11-01T00:00:00Z' } } }, 'run.window.end: is missing'],
    [{ run: { windw: {} } }, 'run: Unrecognized key: "windw"'],
    [{ wait: 'yes' }, 'wait: Invalid input: expected boolean'],
  ])('rejects %j naming the field', (event, message) => {
    expect(() => parseInput(stageEventSchema, event, 'loadStar input')).toThrow(`Invalid loadStar input: ${message}`);
  });
});

describe('splitStatements', () => {
  test('splits on top-level semicolons only, keeping quotes, identifiers and comments intact', () => {
    const sql = `-- header; not a split\nSELECT 'a;b', "c;d" FROM t; /* x; y */ DELETE FROM u WHERE v = 'it''s;';\n-- trailing comment;\n`;
    expect(splitStatements(sql)).toEqual([
      `-- header; not a split\nSELECT 'a;b', "c;d" FROM t`,
      `/* x; y */ DELETE FROM u WHERE v = 'it''s;'`,
    ]);
  });

  test('every shipped stage has SQL, and the star load is one batch of delete-then-insert (no TRUNCATE)', () => {
    const config = loadConfig(CLUSTER_ENV);
    const star = stageSubmission('loadStar', config, {}).sqls;
    expect(star).toHaveLength(10);
    expect(star.filter((s) => /^\s*(--[^\n]*\n\s*)*DELETE/.test(s))).toHaveLength(5);
    expect(star.join('\n')).not.toMatch(/TRUNCATE/i);
    expect(stageSubmission('createTables', config, {}).sqls).toHaveLength(7);
    expect(stageSubmission('checkQuality', config, {}).sqls).toHaveLength(2);
  });
});
