/**
 * The deployment's own code in deploy/, without packaging: the parameter checks (deploy/params.js), the
 * folding of conditions on parameters (deploy/fold-conditions.js) and the COPY role's S3 statements
 * (deploy/copy-access.js). test/deploy/serverless.test.ts packages every variant through osls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/pipeline/config';

type Params = Record<string, string>;
const { resolveParams, validateParams, parseS3Url, SPEC } = require('../../deploy/params') as {
  resolveParams: (config: Record<string, Record<string, unknown>>, stage: string, cli: string[]) => Params;
  validateParams: (params: Params, context?: { region?: string }) => string[];
  parseS3Url: (url: string) => { bucket: string; key: string } | undefined;
  SPEC: Record<string, unknown>;
};
const { foldConditions } = require('../../deploy/fold-conditions') as { foldConditions: (template: any) => any };
const { copyAccessStatements } = require('../../deploy/copy-access') as { copyAccessStatements: (s3: Params) => any[] };

// The params block of serverless.yml, read as osls reads it.
const configParams = parse(readFileSync(path.join(__dirname, '../../serverless.yml'), 'utf8')).params;
const defaults = (...cli: string[]): Params => resolveParams(configParams, 'dev', cli);
const WORKGROUP_ARN = 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

describe('parameter checks', () => {
  test('the defaults of every stage pass, and every parameter in serverless.yml is known', () => {
    expect(validateParams(defaults(), { region: 'us-west-2' })).toEqual([]);
    expect(validateParams(resolveParams(configParams, 'prod', []), { region: 'us-west-2' })).toEqual([]);
    expect(Object.keys(configParams.default).sort()).toEqual(Object.keys(SPEC).sort());
  });

  test('--param overrides the stage, which overrides the default', () => {
    expect(resolveParams(configParams, 'prod', []).clusterId).toBe('sparkify-prod');
    expect(resolveParams(configParams, 'prod', ['clusterId=other']).clusterId).toBe('other');
  });

  test.each([
    ['copyRoleArn=not-an-arn', 'copyRoleArn', 'IAM role ARN'],
    ['secretArn=arn:aws:iam::123456789012:role/x', 'secretArn', 'Secrets Manager secret ARN'],
    ['logData=https://udacity-dend/log_data', 'logData', 'S3 URL'],
    ["songData=s3://udacity-dend/it's", 'songData', 'S3 URL'],
    ['logJsonPath=s3://UPPER/x.json', 'logJsonPath', 'S3 URL'],
    ['s3Region=mars', 's3Region', 'region'],
    ['clusterId=Sparkify_1', 'clusterId', 'cluster identifier'],
    ['database=dev;drop', 'database', 'identifier'],
    ['dbUser=Admin', 'dbUser', 'identifier'],
    ['workgroupName=ab', 'workgroupName', 'name of 3–64'],
    ['numberOfNodes=0', 'numberOfNodes', 'node count'],
    ['numberOfNodes=two', 'numberOfNodes', 'node count'],
    ['baseCapacity=10', 'baseCapacity', 'RPUs'],
    ['nodeType=t3.micro', 'nodeType', 'node type'],
    ['copyTimeoutSeconds=0', 'copyTimeoutSeconds', 'whole seconds'],
    ['eventsMaxError=100001', 'eventsMaxError', '0–100000'],
    ['pauseAfterLoad=yes', 'pauseAfterLoad', 'true or false'],
    ['warehouse=redshift', 'warehouse', 'cluster, workgroup, new-cluster, new-serverless'],
    ['alertEmail=nobody', 'alertEmail', 'e-mail'],
    ['clusterID=typo', 'clusterID', 'not a parameter of this service'],
  ])('%s fails naming the parameter', (param, name, why) => {
    const errors = validateParams(defaults(param), { region: 'us-west-2' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^Parameter ${name}: .*${why.replace(/[()]/g, '\\$&')}`));
  });

  test('a value the chosen warehouse would ignore, or one it lacks, fails naming it', () => {
    const check = (...cli: string[]) => validateParams(defaults(...cli), { region: 'us-west-2' });
    // The old way of choosing serverless: now it says what to add.
    expect(check(`workgroupArn=${WORKGROUP_ARN}`)).toEqual([expect.stringMatching(/^Parameter workgroupArn: applies to warehouse=workgroup only .*--param="warehouse=workgroup"/)]);
    expect(check('warehouse=workgroup')).toEqual([expect.stringMatching(/^Parameter workgroupArn: is required with warehouse=workgroup/)]);
    expect(check('warehouse=workgroup', `workgroupArn=${WORKGROUP_ARN.replace('us-west-2', 'eu-west-1')}`)).toEqual([expect.stringMatching(/^Parameter workgroupArn: is in eu-west-1 but the stack deploys to us-west-2/)]);
    expect(check('warehouse=new-cluster', 'copyRoleArn=arn:aws:iam::123456789012:role/copy')).toEqual([expect.stringMatching(/^Parameter copyRoleArn: does not apply to warehouse=new-cluster/)]);
    expect(check('warehouse=new-serverless', 'secretArn=arn:aws:secretsmanager:us-west-2:123456789012:secret:x')).toEqual([expect.stringMatching(/^Parameter secretArn: does not apply/)]);
    expect(check('warehouse=new-serverless', 'pauseAfterLoad=true')).toEqual([expect.stringMatching(/^Parameter pauseAfterLoad: applies to a provisioned cluster only/)]);
    expect(check('warehouse=workgroup', `workgroupArn=${WORKGROUP_ARN}`, 'secretArn=arn:aws:secretsmanager:us-west-2:123456789012:secret:x')).toEqual([]);
    expect(check('warehouse=new-cluster', 'pauseAfterLoad=true', 'numberOfNodes=4', 'nodeType=ra3.4xlarge')).toEqual([]);
  });

  test('the values the checks accept are the values the handlers accept (the patterns repeat config.ts)', () => {
    const params = defaults('secretArn=arn:aws:secretsmanager:us-west-2:123456789012:secret:sparkify/etl-AbCdEf',
      'copyRoleArn=arn:aws:iam::123456789012:role/service-role/sparkify-copy', 'logData=s3://my.bucket-1/a/b=c/(x)+y!_*',
      'eventsMaxError=100000', 'statementTimeoutSeconds=999999');
    expect(validateParams(params, { region: 'us-west-2' })).toEqual([]);
    expect(() => loadConfig({
      REDSHIFT_CLUSTER_ID: params.clusterId, REDSHIFT_SECRET_ARN: params.secretArn, REDSHIFT_DATABASE: params.database,
      S3_LOG_DATA: params.logData, S3_SONG_DATA: params.songData, S3_LOG_JSONPATH: params.logJsonPath, S3_REGION: params.s3Region,
      COPY_ROLE_ARN: params.copyRoleArn, EVENTS_MAXERROR: params.eventsMaxError, STATEMENT_TIMEOUT_SECONDS: params.statementTimeoutSeconds,
      PAUSE_AFTER_LOAD: params.pauseAfterLoad, REDSHIFT_WORKGROUP: undefined,
    })).not.toThrow();
    expect(() => loadConfig({ REDSHIFT_WORKGROUP: params.workgroupName })).not.toThrow();
  });
});

describe('folding the conditions on parameters', () => {
  const template = () => ({
    Conditions: {
      Yes: { 'Fn::Equals': ['new-cluster', 'new-cluster'] },
      No: { 'Fn::Not': [{ Condition: 'Yes' }] },
      Both: { 'Fn::And': [{ Condition: 'Yes' }, { 'Fn::Equals': [1, '1'] }] },
      OnStack: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-2'] },
    },
    Resources: {
      Kept: { Type: 'T', Condition: 'Both', DependsOn: ['Role', 'Gone', 'Other'], Properties: {
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        List: ['a', { 'Fn::If': ['No', 'b', { Ref: 'AWS::NoValue' }] }, { 'Fn::If': ['Yes', { 'Fn::If': ['No', 'x', 'c'] }, 'y'] }],
        Dropped: { 'Fn::If': ['Yes', { Ref: 'AWS::NoValue' }, 'z'] },
        Left: { 'Fn::If': ['OnStack', 'p', 'q'] },
      } },
      Gone: { Type: 'T', Condition: 'No', Properties: {} },
      Role: { Type: 'T', Properties: {} },
      Other: { Type: 'T', Condition: 'OnStack', Properties: {} },
    },
    Outputs: { GoneOutput: { Condition: 'No', Value: 'v' }, KeptOutput: { Condition: 'Yes', Value: { 'Fn::If': ['No', 'a', 'b'] } } },
  });

  test('keeps only what the constant conditions select, and leaves conditions on the stack alone', () => {
    expect(foldConditions(template())).toEqual({
      Conditions: { OnStack: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-2'] } },
      Resources: {
        Kept: { Type: 'T', DependsOn: ['Other'], Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, List: ['a', 'c'], Left: { 'Fn::If': ['OnStack', 'p', 'q'] },
        } },
        Role: { Type: 'T', Properties: {} },
        Other: { Type: 'T', Condition: 'OnStack', Properties: {} },
      },
      Outputs: { KeptOutput: { Value: 'b' } },
    });
  });
});

describe("a created warehouse's COPY role", () => {
  test('reads the two prefixes and the jsonpaths object, and lists only those prefixes, per bucket', () => {
    expect(copyAccessStatements({ logData: 's3://logs-bucket/log_data', songData: 's3://songs.bucket/songs/A/', logJsonPath: 's3://logs-bucket/paths.json' })).toEqual([
      { Sid: 'ReadTheSources', Effect: 'Allow', Action: 's3:GetObject', Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::logs-bucket/log_data*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::songs.bucket/songs/A/*' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::logs-bucket/paths.json' },
      ] },
      { Sid: 'ListTheSourcePrefixes', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::logs-bucket' },
        Condition: { StringLike: { 's3:prefix': ['log_data*'] } } },
      { Sid: 'ListTheSourcePrefixes1', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::songs.bucket' },
        Condition: { StringLike: { 's3:prefix': ['songs/A/*'] } } },
    ]);
  });

  test('a malformed URL gives no statements (the parameter check names it first)', () => {
    expect(parseS3Url('s3://bucket/key')).toEqual({ bucket: 'bucket', key: 'key' });
    expect(parseS3Url('http://bucket/key')).toBeUndefined();
    expect(copyAccessStatements({ logData: 'nope', songData: 's3://b1/x', logJsonPath: 's3://b1/y' })).toEqual([]);
  });
});
