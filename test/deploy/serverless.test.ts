/**
 * The Serverless Framework (osls) side, in one file because both commands build into the same .esbuild/
 * folder and must not run at once:
 * - `npx serverless package` works offline with no AWS credentials; the compiled CloudFormation template
 *   holds the state machine, the nightly schedule with its input transformer, nodejs22.x functions sharing one scoped
 *   role, and the artifact ships the SQL files;
 * - `npx serverless invoke local -f <stage>` runs a bundled stage handler against the emulator.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedDataset } from '../../src/datagen';
import { planRun } from '../../src/pipeline/run-input';
import { writeTestDataset } from '../support/dataset';
import { runSql, startTestEmulator, type TestEmulator } from '../support/engines';
import { FUNCTION_KEYS } from '../pipeline/support/handlers';
import { runStage } from '../pipeline/support/pipeline-sql';

const run = promisify(execFile);
const projectRoot = path.join(__dirname, '../..');
const outputDir = mkdtempSync(path.join(tmpdir(), 'sparkify-package-'));

type Template = { Resources: Record<string, { Type: string; Properties: any; Condition?: string }>; Conditions: Record<string, unknown> };
let template: Template;
let artifactFiles: string[];

beforeAll(async () => {
  // No credentials, profile or ~/.aws: packaging must not need an AWS account.
  const env = { ...environmentWithoutAws(), HOME: outputDir };
  await run('npx', ['serverless', 'package', '--stage', 'test', '--package', outputDir], { cwd: projectRoot, env, timeout: 240_000 });
  template = JSON.parse(readFileSync(path.join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  const { stdout } = await run('unzip', ['-Z1', path.join(outputDir, 'sparkify-etl.zip')]);
  artifactFiles = stdout.trim().split('\n');
}, 300_000);

afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

function environmentWithoutAws(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
}

/** The CloudFormation logical id serverless gives each function of serverless.yml. */
const FUNCTION_IDS = FUNCTION_KEYS.map((key) => `${key[0].toUpperCase()}${key.slice(1)}LambdaFunction`);

const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('serverless package', () => {
  test('compiles the state machine from statemachine/etl.asl.yml, resolving function keys to the Lambdas', () => {
    const machine = template.Resources.SparkifyEtlStateMachine;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    const [definition, mappings] = machine.Properties.DefinitionString['Fn::Sub'];
    const parsed = JSON.parse(definition.replace(/"?\$\{[A-Za-z0-9]+\}"?/g, '"resolved"'));
    expect(parsed.StartAt).toBe('Start');
    expect(Object.keys(parsed.States)).toEqual(expect.arrayContaining(['PlanRun', 'LoadEachDay', 'CleanUpRun', 'ReportResults', 'CleanUpFailedRun', 'NotifyFailure', 'Failed']));
    expect(Object.keys(parsed.States.LoadEachDay.ItemProcessor.States)).toEqual(expect.arrayContaining(['StageEvents', 'CheckLoad', 'ReviewLoad', 'PublishLoad', 'DropFailedLoad']));
    const targets = Object.values(mappings as Record<string, any>).map((m) => m['Fn::GetAtt']?.[0] ?? m.Ref);
    expect(new Set(targets)).toEqual(new Set([...FUNCTION_IDS, 'FailureTopic']));
  });

  test('schedules the nightly run as an incremental load of the day before the event time', () => {
    const rules = resourcesOfType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(rule.Properties.State).toBe('ENABLED');
    const [target] = rule.Properties.Targets;
    expect(target).toMatchObject({
      Arn: { Ref: 'SparkifyEtlStateMachine' },
      InputTransformer: { InputPathsMap: { time: '$.time' }, InputTemplate: '{"mode": "incremental", "dayBefore": <time>}' },
    });
    expect(target.Input).toBeUndefined();
    // EventBridge puts the event's time into the JSON template as a string: the run loads the UTC day before it.
    const input = JSON.parse(target.InputTransformer.InputTemplate.replace('<time>', JSON.stringify('2018-11-02T03:00:00Z')));
    expect(planRun(input).loads).toEqual([{ day: '2018-11-01' }]);
  });

  test('deploys eleven nodejs22.x functions, all with the one ETL role and the configuration variables', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([...FUNCTION_IDS].sort());
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['EtlFunctionRole', 'Arn'] });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        REDSHIFT_CLUSTER_ID: 'sparkify', REDSHIFT_DB_USER: 'etl_loader', REDSHIFT_DATABASE: 'dev',
        S3_LOG_DATA: 's3://udacity-dend/log_data', S3_SONG_DATA: 's3://udacity-dend/song_data',
        S3_LOG_JSONPATH: 's3://udacity-dend/log_json_path.json', S3_REGION: 'us-west-2',
      });
    }
  });

  test('scopes the Data API to the cluster, credentials to the db user, and statements to their owner', () => {
    const statements: any[] = template.Resources.EtlFunctionRole.Properties.Policies[0].PolicyDocument.Statement;
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid) ?? statements.map((s) => s['Fn::If']?.[1]).find((s) => s?.Sid === sid);

    const submit = bySid('SubmitToTheWarehouse');
    expect(submit.Action).toEqual(['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement']);
    expect(submit.Resource['Fn::If'][1]).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:cluster:sparkify' });

    const follow = bySid('FollowOwnStatements');
    // Only what the handlers call: pollStatement describes, reportResults reads results; nothing cancels.
    expect(follow.Action).toEqual(['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult']);
    expect(follow.Condition.StringEquals['redshift-data:statement-owner-iam-userid']).toEqual({ 'Fn::Join': ['', ['$', '{aws:userid}']] });

    const credentials = bySid('TemporaryCredentialsForTheEtlUser');
    expect(credentials.Action).toBe('redshift:GetClusterCredentials');
    expect(credentials.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbuser:sparkify/etl_loader' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbname:sparkify/dev' },
    ]);
    // No wildcard submit rights anywhere, and the account id is never resolved at package time.
    expect(JSON.stringify(template)).not.toMatch(/"redshift-data:\*"|"Action":"\*"/);
    expect(JSON.stringify(template.Resources.EtlFunctionRole)).not.toMatch(/\d{12}/);
  });

  test('lets the state machine invoke the functions and publish to the failure topic only', () => {
    const statements: any[] = template.Resources.SparkifyEtlStateMachineRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.map((s) => s.Action).flat().sort()).toEqual(['lambda:InvokeFunction', 'sns:Publish']);
    expect(statements.find((s) => s.Action.includes('sns:Publish')).Resource).toEqual([{ Ref: 'FailureTopic' }]);
    expect(template.Resources.FailureTopic.Type).toBe('AWS::SNS::Topic');
  });

  test('ships every handler bundle and the SQL files they read', () => {
    for (const fn of FUNCTION_KEYS) expect(artifactFiles).toContain(`functions/${fn}.js`);
    expect(artifactFiles).toEqual(expect.arrayContaining([
      'sql/schema/songplays.sql', 'sql/staging/staging_events.sql', 'sql/staging/copy_events.sql', 'sql/load/catalogue.sql', 'sql/load/star.sql',
      'sql/checks/load_checks.sql', 'sql/checks/load_accounting.sql', 'sql/checks/row_counts.sql', 'sql/publish/star.sql',
    ]));
    expect(artifactFiles.filter((file) => file.startsWith('sql/star/'))).toEqual([]);
  });
});

describe('serverless invoke local', () => {
  let emulator: TestEmulator;
  let dataset: GeneratedDataset;
  const bucket = path.join(outputDir, 'bucket');

  beforeAll(async () => {
    dataset = await writeTestDataset(bucket);
    // Any engine will do: this is about the CLI and the bundle, the engines have their own tests.
    emulator = await startTestEmulator('postgres', { buckets: { 'udacity-dend': bucket } });
    await runStage(emulator.client, 'createTables');
  });
  afterAll(() => emulator?.stop());

  test('runs one bundled stage against the emulator and, with {"wait": true}, returns its outcome', async () => {
    const env = {
      ...environmentWithoutAws(),
      AWS_ENDPOINT_URL_REDSHIFT_DATA: emulator.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
    };
    const { stdout } = await run('npx', ['serverless', 'invoke', 'local', '-f', 'stageSongs', '-d', '{"wait": true}'],
      { cwd: projectRoot, env, timeout: 240_000 });
    // The invoke result is the last JSON object printed, after the handler's JSON log lines.
    const outcome = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{\n') + 1));
    // The batch's rows: the songs COPY loaded, then the run's catalogue of songs and artists built from them.
    const { staging_songs, songs, artists } = dataset.expected;
    expect(outcome).toEqual({
      stage: 'stageSongs', statementId: expect.any(String), status: 'FINISHED', resultRows: staging_songs + songs + artists, waitSeconds: 0, attempt: 1,
      submittedAt: expect.any(Number),
    });
    // Run by hand, the stage works in the tables of the run "manual".
    const { rows } = await runSql(emulator.client, 'SELECT COUNT(*) AS n FROM staging_songs_manual');
    expect(rows).toEqual([{ n: staging_songs }]);
  }, 300_000);
});
