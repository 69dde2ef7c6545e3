/**
 * The Serverless Framework (osls) side, in one file because both commands build into the same .esbuild/
 * folder and must not run at once:
 * - `npx serverless package` works offline with no AWS credentials, for each warehouse variant
 *   (--param="warehouse=…"): the compiled CloudFormation template holds that variant's resources and IAM
 *   statements only, the handlers' variables match it, cfn-lint finds no error in it, and a bad parameter
 *   fails packaging naming the parameter;
 * - `npx serverless invoke local -f <stage>` runs a bundled stage handler against the emulator.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedDataset } from '../../src/datagen';
import { loadConfig } from '../../src/pipeline/config';
import { planRun } from '../../src/pipeline/run-input';
import { writeTestDataset } from '../support/dataset';
import { runSql, startTestEmulator, type TestEmulator } from '../support/engines';
import { FUNCTION_KEYS } from '../pipeline/support/handlers';
import { runStage } from '../pipeline/support/pipeline-sql';

const run = promisify(execFile);
const projectRoot = path.join(__dirname, '../..');
const outputDir = mkdtempSync(path.join(tmpdir(), 'sparkify-package-'));

const WORKGROUP_ARN = 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:sparkify/etl-AbCdEf';
const VARIANTS = {
  cluster: [],
  clusterWithSecret: [`secretArn=${SECRET_ARN}`, 'copyRoleArn=arn:aws:iam::123456789012:role/sparkify-copy', 'pauseAfterLoad=true'],
  workgroup: ['warehouse=workgroup', 'workgroupName=sparkify-wg', `workgroupArn=${WORKGROUP_ARN}`],
  newCluster: ['warehouse=new-cluster', 'clusterId=sparkify-new', 'nodeType=ra3.4xlarge', 'numberOfNodes=2', 'pauseAfterLoad=true',
    'songData=s3://sparkify-songs/song_data', 'logData=s3://sparkify-raw/events/log_data', 'logJsonPath=s3://sparkify-raw/events/jsonpaths.json',
    'compactedSongs=s3://sparkify-staging/compacted_songs', 'compactSlices=4'],
  newServerless: ['warehouse=new-serverless', 'namespaceName=sparkify-ns', 'workgroupName=sparkify-wg', 'baseCapacity=32'],
} satisfies Record<string, string[]>;
type Variant = keyof typeof VARIANTS;

type Resource = { Type: string; Properties: any; Condition?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Conditions?: Record<string, unknown>; Outputs: Record<string, any> };
const templates = {} as Record<Variant, Template>;
const templateFile = (variant: Variant) => path.join(outputDir, variant, 'cloudformation-template-update-stack.json');
let artifactFiles: string[];

// No credentials, profile or ~/.aws: packaging must not need an AWS account.
const packagingEnv = () => ({ ...environmentWithoutAws(), HOME: outputDir });
const packageArgs = (params: string[]) => ['serverless', 'package', '--stage', 'test', ...params.map((p) => `--param=${p}`)];

beforeAll(async () => {
  // One after the other: every package builds into the project's .esbuild/ folder.
  for (const [variant, params] of Object.entries(VARIANTS) as [Variant, string[]][]) {
    await run('npx', [...packageArgs(params), '--package', path.join(outputDir, variant)], { cwd: projectRoot, env: packagingEnv(), timeout: 240_000 });
    templates[variant] = JSON.parse(readFileSync(templateFile(variant), 'utf8'));
  }
  const { stdout } = await run('unzip', ['-Z1', path.join(outputDir, 'cluster', 'sparkify-etl.zip')]);
  artifactFiles = stdout.trim().split('\n');
}, 600_000);

afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

function environmentWithoutAws(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
}

const resourcesOfType = (template: Template, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const etlStatements = (variant: Variant): any[] => templates[variant].Resources.EtlFunctionRole.Properties.Policies[0].PolicyDocument.Statement;
const statement = (variant: Variant, sid: string) => etlStatements(variant).find((s) => s.Sid === sid);
const environment = (variant: Variant): Record<string, unknown> => templates[variant].Resources.PlanRunLambdaFunction.Properties.Environment.Variables;
/** The CloudFormation logical id serverless gives each function of serverless.yml. */
const functionId = (key: string) => `${key[0].toUpperCase()}${key.slice(1)}LambdaFunction`;
const clusterArn = (id: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:redshift:\${AWS::Region}:\${AWS::AccountId}:cluster:${id}` });
const WAREHOUSE_RESOURCES = ['CopyRole', 'Cluster', 'Namespace', 'Workgroup'];

describe('serverless package', () => {
  test('compiles the state machine from statemachine/etl.asl.yml, resolving function keys to the Lambdas', () => {
    const machine = templates.cluster.Resources.SparkifyEtlStateMachine;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    const [definition, mappings] = machine.Properties.DefinitionString['Fn::Sub'];
    const parsed = JSON.parse(definition.replace(/"?\$\{[A-Za-z0-9]+\}"?/g, '"resolved"'));
    expect(parsed.StartAt).toBe('Start');
    expect(Object.keys(parsed.States)).toEqual(expect.arrayContaining(['PlanRun', 'EnsureWarehouse', 'LoadEachDay', 'CleanUpRun', 'ReportResults', 'CleanUpFailedRun', 'PauseWarehouse', 'PauseWarehouseAfterFailure', 'NotifyFailure', 'Failed']));
    expect(Object.keys(parsed.States.LoadEachDay.ItemProcessor.States)).toEqual(expect.arrayContaining(['StageEvents', 'CheckLoad', 'ReviewLoad', 'PublishLoad', 'DropFailedLoad']));
    const targets = new Set(Object.values(mappings as Record<string, any>).map((m) => m['Fn::GetAtt']?.[0] ?? m.Ref));
    // Every function is called from the state machine, and nothing else but the failure topic is named.
    expect([...targets].sort()).toEqual([...FUNCTION_KEYS.map(functionId), 'FailureTopic'].sort());
  });

  test('schedules the nightly run: an incremental load of the day before the event', () => {
    const rules = resourcesOfType(templates.cluster, 'AWS::Events::Rule');
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

  test('deploys the functions on nodejs22.x with the one ETL role, including ensureWarehouse and pauseWarehouse', () => {
    const functions = resourcesOfType(templates.cluster, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(FUNCTION_KEYS.map(functionId).sort());
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['EtlFunctionRole', 'Arn'] });
      expect(fn.Properties.Environment.Variables).toEqual(environment('cluster'));
      // The role is already a GetAtt: no redundant DependsOn (cfn-lint W3005).
      expect(fn.DependsOn ?? []).not.toContain('EtlFunctionRole');
    }
  });

  test('ships every handler bundle and the SQL files they read', () => {
    for (const fn of FUNCTION_KEYS) expect(artifactFiles).toContain(`functions/${fn}.js`);
    expect(artifactFiles).toEqual(expect.arrayContaining([
      'sql/schema/songplays.sql', 'sql/staging/staging_events.sql', 'sql/staging/copy_events.sql', 'sql/load/catalogue.sql', 'sql/load/star.sql',
      'sql/checks/load_checks.sql', 'sql/checks/load_accounting.sql', 'sql/checks/row_counts.sql', 'sql/publish/star.sql',
    ]));
    expect(artifactFiles.filter((file) => file.startsWith('sql/star/'))).toEqual([]);
  });

  test('lets the state machine invoke the functions and publish to the failure topic only', () => {
    const statements: any[] = templates.cluster.Resources.SparkifyEtlStateMachineRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.map((s) => s.Action).flat().sort()).toEqual(['lambda:InvokeFunction', 'sns:Publish']);
    expect(statements.find((s) => s.Action.includes('sns:Publish')).Resource).toEqual([{ Ref: 'FailureTopic' }]);
  });

  test('every template is resolved at package time: no conditions left, no empty IAM resource, no wildcard rights', () => {
    for (const [variant, template] of Object.entries(templates)) {
      expect([variant, template.Conditions]).toEqual([variant, undefined]);
      expect([variant, JSON.stringify(template).match(/"Resource":""|"Fn::If"|AWS::NoValue/)]).toEqual([variant, null]);
      const roles = JSON.stringify(resourcesOfType(template, 'AWS::IAM::Role'));
      expect([variant, roles.match(/"redshift-data:\*"|"redshift:\*"|"redshift-serverless:\*"|"s3:\*"|"Action":"\*"|AmazonS3ReadOnlyAccess/)]).toEqual([variant, null]);
      // The account id is never resolved at package time (the ARNs given as parameters are the user's own).
      const etlRole = JSON.stringify(template.Resources.EtlFunctionRole).replaceAll(WORKGROUP_ARN, '').replaceAll(SECRET_ARN, '');
      expect([variant, etlRole.match(/\d{12}/)]).toEqual([variant, null]);
    }
  });
});

describe('warehouse: an existing cluster (the default)', () => {
  test('creates no warehouse, and the handlers get the cluster and the db user', () => {
    for (const id of WAREHOUSE_RESOURCES) expect(templates.cluster.Resources[id]).toBeUndefined();
    expect(environment('cluster')).toMatchObject({
      REDSHIFT_CLUSTER_ID: 'sparkify', REDSHIFT_DB_USER: 'etl_loader', REDSHIFT_DATABASE: 'dev', PAUSE_AFTER_LOAD: 'false',
      S3_LOG_DATA: 's3://udacity-dend/log_data', S3_SONG_DATA: 's3://udacity-dend/song_data',
      S3_LOG_JSONPATH: 's3://udacity-dend/log_json_path.json', S3_REGION: 'us-west-2', WAREHOUSE_TIMEOUT_SECONDS: '1800',
    });
    for (const name of ['REDSHIFT_WORKGROUP', 'REDSHIFT_SECRET_ARN', 'COPY_ROLE_ARN']) expect(environment('cluster')).not.toHaveProperty(name);
  });

  test('scopes the Data API and the lifecycle to the cluster, credentials to the db user, statements to their owner', () => {
    expect(etlStatements('cluster').map((s) => s.Sid)).toEqual(['SubmitToTheWarehouse', 'FollowOwnStatements', 'ResumeAndPauseTheCluster', 'TemporaryCredentialsForTheEtlUser']);
    expect(statement('cluster', 'SubmitToTheWarehouse')).toMatchObject({ Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'], Resource: clusterArn('sparkify') });
    const follow = statement('cluster', 'FollowOwnStatements');
    // Only what the handlers call: pollStatement describes, reportResults reads results; nothing cancels.
    expect(follow.Action).toEqual(['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult']);
    expect(follow.Condition.StringEquals['redshift-data:statement-owner-iam-userid']).toEqual({ 'Fn::Join': ['', ['$', '{aws:userid}']] });
    // Pausing is not asked for, so the role cannot pause.
    expect(statement('cluster', 'ResumeAndPauseTheCluster')).toEqual({ Sid: 'ResumeAndPauseTheCluster', Effect: 'Allow',
      Action: ['redshift:DescribeClusters', 'redshift:ResumeCluster'], Resource: clusterArn('sparkify') });
    expect(statement('cluster', 'TemporaryCredentialsForTheEtlUser')).toMatchObject({ Action: 'redshift:GetClusterCredentials', Resource: [
      { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbuser:sparkify/etl_loader' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbname:sparkify/dev' },
    ] });
  });

  test('with secretArn: the secret instead of the db user, the COPY role, and PauseCluster when pauseAfterLoad', () => {
    expect(environment('clusterWithSecret')).toMatchObject({ REDSHIFT_CLUSTER_ID: 'sparkify', REDSHIFT_SECRET_ARN: SECRET_ARN,
      COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/sparkify-copy', PAUSE_AFTER_LOAD: 'true' });
    expect(environment('clusterWithSecret')).not.toHaveProperty('REDSHIFT_DB_USER');
    expect(etlStatements('clusterWithSecret').map((s) => s.Sid)).toEqual(['SubmitToTheWarehouse', 'FollowOwnStatements', 'ResumeAndPauseTheCluster', 'ReadTheWarehouseSecret']);
    expect(statement('clusterWithSecret', 'ResumeAndPauseTheCluster').Action).toEqual(['redshift:DescribeClusters', 'redshift:ResumeCluster', 'redshift:PauseCluster']);
    expect(statement('clusterWithSecret', 'ReadTheWarehouseSecret')).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN });
  });
});

describe('warehouse: an existing Redshift Serverless workgroup', () => {
  test('creates no warehouse; the handlers get the workgroup name, IAM names its ARN', () => {
    for (const id of WAREHOUSE_RESOURCES) expect(templates.workgroup.Resources[id]).toBeUndefined();
    expect(environment('workgroup')).toMatchObject({ REDSHIFT_WORKGROUP: 'sparkify-wg', PAUSE_AFTER_LOAD: 'false' });
    for (const name of ['REDSHIFT_CLUSTER_ID', 'REDSHIFT_DB_USER', 'REDSHIFT_SECRET_ARN', 'COPY_ROLE_ARN']) expect(environment('workgroup')).not.toHaveProperty(name);
    expect(etlStatements('workgroup').map((s) => s.Sid)).toEqual(['SubmitToTheWarehouse', 'FollowOwnStatements', 'CheckTheWorkgroup', 'ServerlessCredentials']);
    expect(statement('workgroup', 'SubmitToTheWarehouse').Resource).toBe(WORKGROUP_ARN);
    expect(statement('workgroup', 'CheckTheWorkgroup')).toEqual({ Sid: 'CheckTheWorkgroup', Effect: 'Allow', Action: 'redshift-serverless:GetWorkgroup', Resource: WORKGROUP_ARN });
    expect(statement('workgroup', 'ServerlessCredentials')).toMatchObject({ Action: 'redshift-serverless:GetCredentials', Resource: WORKGROUP_ARN });
    expect(JSON.stringify(etlStatements('workgroup'))).not.toMatch(/"redshift:/);
  });
});

describe('warehouse: a new cluster created by the stack', () => {
  test('an encrypted, private cluster with a managed admin password, kept as a final snapshot', () => {
    const cluster = templates.newCluster.Resources.Cluster;
    expect(cluster).toMatchObject({
      Type: 'AWS::Redshift::Cluster', DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot',
      Properties: { ClusterIdentifier: 'sparkify-new', ClusterType: 'multi-node', NumberOfNodes: '2', NodeType: 'ra3.4xlarge', DBName: 'dev',
        MasterUsername: 'sparkify_admin', ManageMasterPassword: true, Encrypted: true, PubliclyAccessible: false,
        IamRoles: [{ 'Fn::GetAtt': ['CopyRole', 'Arn'] }] },
    });
    expect(cluster.Properties).not.toHaveProperty('MasterUserPassword');
    expect(templates.newCluster.Resources.Namespace).toBeUndefined();
    expect(templates.newCluster.Outputs.WarehouseSecretArn.Value).toEqual({ 'Fn::GetAtt': ['Cluster', 'MasterPasswordSecretArn'] });
  });

  test('its COPY role is assumed by Redshift and reads only the configured prefixes and the jsonpaths object', () => {
    const role = templates.newCluster.Resources.CopyRole;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: ['redshift.amazonaws.com'] }, Action: 'sts:AssumeRole' }]);
    expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Sid: 'ReadTheSources', Effect: 'Allow', Action: 's3:GetObject', Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-raw/events/log_data*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-songs/song_data*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-raw/events/jsonpaths.json' },
        // The compacted song objects and manifests (compactedSongs), which COPY reads through a manifest.
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-staging/compacted_songs/*' },
      ] },
      { Sid: 'ListTheSourcePrefixes', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-raw' },
        Condition: { StringLike: { 's3:prefix': ['events/log_data*'] } } },
      { Sid: 'ListTheSourcePrefixes1', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-songs' },
        Condition: { StringLike: { 's3:prefix': ['song_data*'] } } },
    ]);
  });

  test('with compactedSongs: compaction is available, and the ETL role may list and read the songs and write only the compacted prefix', () => {
    expect(environment('newCluster')).toMatchObject({ S3_COMPACTED_SONGS: 's3://sparkify-staging/compacted_songs', COMPACT_TARGET_MB: '64', COMPACT_SLICES: '4' });
    expect(environment('cluster')).not.toHaveProperty('S3_COMPACTED_SONGS');
    const policies: any[] = templates.newCluster.Resources.EtlFunctionRole.Properties.Policies;
    expect(policies.map((policy) => policy.PolicyName)).toEqual(['redshift-data-api', 'compact-songs']);
    expect(policies[1].PolicyDocument.Statement).toEqual([
      { Sid: 'ReadTheSongObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-songs/song_data*' } },
      { Sid: 'ListTheSongPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-songs' },
        Condition: { StringLike: { 's3:prefix': ['song_data*'] } } },
      { Sid: 'WriteTheCompactedSongs', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::sparkify-staging/compacted_songs/*' } },
    ]);
    // Without it (every other variant): no S3 rights at all for the ETL role.
    for (const variant of ['cluster', 'clusterWithSecret', 'workgroup', 'newServerless'] as const) {
      expect([variant, JSON.stringify(templates[variant].Resources.EtlFunctionRole).match(/"s3:/)]).toEqual([variant, null]);
    }
    expect(templates.newCluster.Resources.CompactSongsLambdaFunction.Properties).toMatchObject({ Timeout: 900, MemorySize: 1024 });
  });

  test('the handlers use the new cluster, its managed secret and its COPY role; the ETL role may pause it and read that secret', () => {
    expect(environment('newCluster')).toMatchObject({
      REDSHIFT_CLUSTER_ID: 'sparkify-new', REDSHIFT_SECRET_ARN: { 'Fn::GetAtt': ['Cluster', 'MasterPasswordSecretArn'] },
      COPY_ROLE_ARN: { 'Fn::GetAtt': ['CopyRole', 'Arn'] }, PAUSE_AFTER_LOAD: 'true',
    });
    expect(environment('newCluster')).not.toHaveProperty('REDSHIFT_DB_USER');
    expect(etlStatements('newCluster').map((s) => s.Sid)).toEqual(['SubmitToTheWarehouse', 'FollowOwnStatements', 'ResumeAndPauseTheCluster', 'ReadTheWarehouseSecret']);
    expect(statement('newCluster', 'ResumeAndPauseTheCluster')).toMatchObject({
      Action: ['redshift:DescribeClusters', 'redshift:ResumeCluster', 'redshift:PauseCluster'], Resource: clusterArn('sparkify-new') });
    expect(statement('newCluster', 'ReadTheWarehouseSecret')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::GetAtt': ['Cluster', 'MasterPasswordSecretArn'] } });
  });
});

describe('warehouse: a new Redshift Serverless namespace and workgroup created by the stack', () => {
  test('a namespace with a managed admin password and a final snapshot, and a private workgroup', () => {
    const { Namespace: namespace, Workgroup: workgroup, Cluster: cluster } = templates.newServerless.Resources;
    expect(cluster).toBeUndefined();
    expect(namespace).toMatchObject({ Type: 'AWS::RedshiftServerless::Namespace', Properties: {
      NamespaceName: 'sparkify-ns', DbName: 'dev', AdminUsername: 'sparkify_admin', ManageAdminPassword: true,
      IamRoles: [{ 'Fn::GetAtt': ['CopyRole', 'Arn'] }], DefaultIamRoleArn: { 'Fn::GetAtt': ['CopyRole', 'Arn'] },
      FinalSnapshotName: 'sparkify-ns-final-test' } });
    expect(namespace.Properties).not.toHaveProperty('AdminUserPassword');
    expect(workgroup).toMatchObject({ Type: 'AWS::RedshiftServerless::Workgroup', Properties: {
      WorkgroupName: 'sparkify-wg', NamespaceName: { Ref: 'Namespace' }, PubliclyAccessible: false } });
    // A --param value is a string; CloudFormation reads it as the Integer the property takes.
    expect(String(workgroup.Properties.BaseCapacity)).toBe('32');
    expect(templates.newServerless.Resources.CopyRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal)
      .toEqual({ Service: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'] });
  });

  test('the handlers use the workgroup as the ETL role (IAM), and the role is scoped to that workgroup', () => {
    const workgroupArn = { 'Fn::GetAtt': ['Workgroup', 'Workgroup.WorkgroupArn'] };
    expect(environment('newServerless')).toMatchObject({ REDSHIFT_WORKGROUP: 'sparkify-wg', COPY_ROLE_ARN: { 'Fn::GetAtt': ['CopyRole', 'Arn'] }, PAUSE_AFTER_LOAD: 'false' });
    for (const name of ['REDSHIFT_CLUSTER_ID', 'REDSHIFT_DB_USER', 'REDSHIFT_SECRET_ARN']) expect(environment('newServerless')).not.toHaveProperty(name);
    expect(etlStatements('newServerless').map((s) => s.Sid)).toEqual(['SubmitToTheWarehouse', 'FollowOwnStatements', 'CheckTheWorkgroup', 'ServerlessCredentials']);
    for (const sid of ['SubmitToTheWarehouse', 'CheckTheWorkgroup', 'ServerlessCredentials']) expect(statement('newServerless', sid).Resource).toEqual(workgroupArn);
  });
});

test("each variant's variables pass the handlers' own configuration check", () => {
  const deployed = (value: unknown) => {
    // What CloudFormation resolves at deploy time, with plausible values.
    const getAtt = (value as any)?.['Fn::GetAtt'];
    if (!getAtt) return value as string;
    return getAtt[0] === 'Cluster' ? 'arn:aws:secretsmanager:us-west-2:123456789012:secret:sparkify-new-AbCdEf' : 'arn:aws:iam::123456789012:role/copy';
  };
  const kinds = Object.fromEntries(Object.keys(templates).map((variant) => {
    const env = Object.fromEntries(Object.entries(environment(variant as Variant)).map(([name, value]) => [name, deployed(value)]));
    return [variant, loadConfig(env).target.kind];
  }));
  expect(kinds).toEqual({ cluster: 'cluster', clusterWithSecret: 'cluster', workgroup: 'workgroup', newCluster: 'cluster', newServerless: 'workgroup' });
});

describe('bad parameters', () => {
  test.each([
    ['copyRoleArn=not-an-arn', /Parameter copyRoleArn: "not-an-arn" is not an IAM role ARN/],
    ['warehouse=redshift', /Parameter warehouse: "redshift" is not one of cluster, workgroup, new-cluster, new-serverless/],
    ['logData=s3:/udacity-dend/log_data', /Parameter logData: .* is not an S3 URL/],
    ['s3Region=us-west', /Parameter s3Region: "us-west" is not an AWS region/],
    [`workgroupArn=${WORKGROUP_ARN}`, /Parameter workgroupArn: applies to warehouse=workgroup only/],
    ['compactedSongs=s3://udacity-dend/song_data/compacted', /Parameter compactedSongs: must not overlap songData \(s3:\/\/udacity-dend\/song_data\)/],
  ])('npx serverless package --param="%s" fails naming the parameter', async (param, message) => {
    const failure = await run('npx', [...packageArgs([param]), '--package', path.join(outputDir, 'bad')], { cwd: projectRoot, env: packagingEnv(), timeout: 120_000 })
      .then(() => undefined, (error: { code: number; stdout: string; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(`${failure?.stdout}${failure?.stderr}`).toMatch(message);
  }, 120_000);
});

const cfnLint = ['/root/.pyenv/shims/cfn-lint', 'cfn-lint'].find((command) => {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const testWithCfnLint = cfnLint ? test.each : test.skip.each;

describe(cfnLint ? 'cfn-lint' : 'cfn-lint (skipped: cfn-lint is not installed)', () => {
  testWithCfnLint(Object.keys(VARIANTS))('reports no error and no warning on the %s template', async (variant) => {
    // Exit code 0: no error (2), warning (4) or informational finding (8).
    const result = await run(cfnLint!, [templateFile(variant as Variant)], { timeout: 120_000 }).then(
      ({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
    expect(result).toEqual({ code: 0, stdout: '' });
  }, 120_000);
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
    // The batch's rows: the songs COPY loaded, then the run's catalogue of songs and artists built from them;
    // and apart, the rows the COPY loaded.
    const { staging_songs, songs, artists } = dataset.expected;
    expect(outcome).toEqual({
      stage: 'stageSongs', statementId: expect.any(String), status: 'FINISHED', resultRows: staging_songs + songs + artists, copiedRows: staging_songs,
      waitSeconds: 0, attempt: 1, submittedAt: expect.any(Number),
    });
    // Run by hand, the stage works in the tables of the run "manual".
    const { rows } = await runSql(emulator.client, 'SELECT COUNT(*) AS n FROM staging_songs_manual');
    expect(rows).toEqual([{ n: staging_songs }]);
  }, 300_000);
});
