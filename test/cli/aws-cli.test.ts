/**
 * `sparkify emulator` prints the environment a Data API client needs; the AWS CLI (every `aws` on PATH,
 * v1 or v2) and boto3 use it exactly as printed. Where neither is installed, its test is skipped, saying why.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SparkifyProcess } from '../support/cli';

const run = promisify(execFile);

interface AwsCli {
  file: string;
  version: string;
  major: number;
  minor: number;
}

/** Each `aws` on PATH once (a pyenv shim and /usr/bin/aws may both be there), with its version. */
function installedAwsClis(): AwsCli[] {
  const seen = new Set<string>();
  const clis: AwsCli[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, 'aws');
    try {
      accessSync(file, constants.X_OK);
    } catch {
      continue;
    }
    if (seen.has(realpathSync(file))) continue;
    seen.add(realpathSync(file));
    const answer = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    const match = /aws-cli\/((\d+)\.(\d+)\.\d+)/.exec(`${answer.stdout}${answer.stderr}`);
    if (match) clis.push({ file, version: match[1], major: Number(match[2]), minor: Number(match[3]) });
  }
  return clis;
}

/** AWS_ENDPOINT_URL_<SERVICE> arrived in the AWS CLI 1.29 and 2.13; older ones need --endpoint-url, as the emulator says. */
function readsServiceEndpoints({ major, minor }: AwsCli): boolean {
  return major === 1 ? minor >= 29 : major > 2 || minor >= 13;
}

/** Why the boto3 test cannot run here, if it cannot: boto3 reads AWS_ENDPOINT_URL_<SERVICE> from 1.28. */
function boto3Missing(): string | undefined {
  const answer = spawnSync('python3', ['-c', 'import boto3; print(boto3.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (answer.status !== 0) return 'python3 cannot import boto3';
  const [major, minor] = answer.stdout.trim().split('.').map(Number);
  return major > 1 || minor >= 28 ? undefined : `boto3 ${answer.stdout.trim()} predates AWS_ENDPOINT_URL_<SERVICE> (1.28)`;
}

const AWS_CLIS = installedAwsClis();
const BOTO3_MISSING = boto3Missing();

describe('sparkify emulator with the clients of other languages', () => {
  let emulator: SparkifyProcess;
  let scratch: string;
  /** The test's environment without its AWS settings, plus exactly what the emulator printed. */
  let env: NodeJS.ProcessEnv;
  let printed: Record<string, string>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'sparkify-aws-cli-'));
    emulator = new SparkifyProcess(scratch, ['emulator', '--port', '0', '--data-dir', path.join(scratch, 'warehouse')]);
    await emulator.printed('Press Ctrl-C');
    printed = Object.fromEntries([...emulator.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]));
    const withoutAws = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'));
    env = {
      ...Object.fromEntries(withoutAws),
      // No ~/.aws profile of the machine's may add a region, endpoint or credentials.
      AWS_CONFIG_FILE: path.join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
      ...printed,
    };
  }, 120_000);
  afterAll(async () => {
    if (emulator) {
      emulator.child.kill('SIGINT');
      await emulator.finished;
    }
    await rm(scratch, { recursive: true, force: true });
  });

  test('it prints the region both ways, for the SDKs that read either', () => {
    expect(printed).toMatchObject({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'offline' });
  });

  const awsCliTest = async (cli: AwsCli) => {
    // An AWS CLI too old for AWS_ENDPOINT_URL_REDSHIFT_DATA takes the endpoint as the emulator's note says.
    const endpoint = readsServiceEndpoints(cli) ? [] : ['--endpoint-url', printed.AWS_ENDPOINT_URL_REDSHIFT_DATA];
    const aws = async (...args: string[]) =>
      JSON.parse((await run(cli.file, ['redshift-data', ...args, ...endpoint, '--output', 'json'], { env, timeout: 60_000 })).stdout);

    const { Id } = await aws('execute-statement', '--cluster-identifier', printed.REDSHIFT_CLUSTER_ID, '--database', printed.REDSHIFT_DATABASE,
      '--db-user', printed.REDSHIFT_DB_USER, '--sql', "SELECT 'aws cli' AS client, 42 AS answer");
    let status: string | undefined;
    for (let i = 0; i < 50 && status !== 'FINISHED' && status !== 'FAILED'; i++) {
      status = (await aws('describe-statement', '--id', Id)).Status;
    }
    expect(status).toBe('FINISHED');
    const result = await aws('get-statement-result', '--id', Id);
    expect(result.Records).toEqual([[{ stringValue: 'aws cli' }, { longValue: 42 }]]);
    expect(result.ColumnMetadata.map((column: { name: string }) => column.name)).toEqual(['client', 'answer']);
  };
  const awsCliTestName = (cli: AwsCli) =>
    `aws-cli/${cli.version}${readsServiceEndpoints(cli) ? '' : ' (given --endpoint-url: too old for AWS_ENDPOINT_URL_REDSHIFT_DATA)'}: execute-statement, describe-statement, get-statement-result`;
  if (AWS_CLIS.length === 0) test.skip('the AWS CLI (skipped: no `aws` on PATH)', () => undefined);
  for (const cli of AWS_CLIS) test(awsCliTestName(cli), () => awsCliTest(cli), 180_000);

  (BOTO3_MISSING ? test.skip : test)(`boto3${BOTO3_MISSING ? ` (skipped: ${BOTO3_MISSING})` : ''}: the same statement`, async () => {
    const script = [
      'import boto3, json, time',
      "client = boto3.client('redshift-data')",
      "statement = client.execute_statement(ClusterIdentifier='sparkify-offline', Database='dev', DbUser='awsuser', Sql=\"SELECT 'boto3' AS client\")",
      "while client.describe_statement(Id=statement['Id'])['Status'] not in ('FINISHED', 'FAILED'): time.sleep(0.1)",
      "print(json.dumps(client.get_statement_result(Id=statement['Id'])['Records']))",
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script], { env, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual([[{ stringValue: 'boto3' }]]);
  }, 120_000);
});
