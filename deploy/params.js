'use strict';
/**
 * The stage's parameters (serverless.yml `params`, overridden by --param="name=value"), checked before
 * anything is packaged or deployed, so a bad value fails `serverless package` naming the parameter
 * instead of the first night's run.
 *
 * The patterns repeat those of src/pipeline/config.ts (not exported there, and this file is loaded by
 * osls as plain CommonJS): the handlers check the same values again at their first invocation, and
 * test/deploy checks that both sides accept the defaults.
 */

const WAREHOUSES = ['cluster', 'workgroup', 'new-cluster', 'new-serverless'];

const P = {
  clusterId: [/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'a cluster identifier (lowercase letters, digits, single hyphens; starts with a letter)'],
  resourceName: [/^[a-z0-9-]{3,64}$/, 'a name of 3–64 lowercase letters, digits and hyphens'],
  workgroupArn: [/^arn:aws[a-z-]*:redshift-serverless:[a-z0-9-]+:\d{12}:workgroup\/[a-z0-9-]+$/, 'a workgroup ARN (arn:aws:redshift-serverless:<region>:<account>:workgroup/<id>)'],
  identifier: [/^[a-z_][a-z0-9_$]{0,126}$/, 'a lowercase database identifier'],
  secretArn: [/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/, 'a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)'],
  roleArn: [/^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9/_+=,.@-]+$/, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)'],
  s3Url: [/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.*()\/=+-]*)?$/, 'an S3 URL s3://<bucket>/<key> with plain key characters'],
  region: [/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-west-2'],
  seconds: [/^[1-9]\d{0,5}$/, 'whole seconds, 1–999999'],
  maxError: [/^(100000|\d{1,5})$/, 'a whole number, 0–100000'],
  flag: [/^(true|false)$/, 'true or false'],
  megabytes: [/^[1-9]\d{0,3}$/, 'whole megabytes, 1–9999'],
  slices: [/^[1-9]\d{0,3}$/, 'a slice count, 1–9999'],
  nodeType: [/^(ra3|dc2)\.[a-z0-9]+$/, 'a Redshift node type such as ra3.xlplus'],
  nodes: [/^([1-9]|[1-9]\d|1[01]\d|12[0-8])$/, 'a node count, 1–128'],
  // Redshift Serverless base capacity in RPUs: 8 to 512 in steps of 8 (4 in some regions).
  rpus: [/^(4|8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|256|384|512)$/, 'RPUs: 4, a multiple of 8 up to 128, or 256, 384, 512'],
  email: [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address'],
  schedule: [/^(rate|cron)\(.+\)$/, 'a schedule expression, rate(…) or cron(…)'],
};

/** Every parameter, its pattern, and whether it may be empty. */
const SPEC = {
  warehouse: { oneOf: WAREHOUSES },
  clusterId: { pattern: P.clusterId },
  dbUser: { pattern: P.identifier },
  secretArn: { pattern: P.secretArn, optional: true },
  workgroupName: { pattern: P.resourceName },
  workgroupArn: { pattern: P.workgroupArn, optional: true },
  adminUser: { pattern: P.identifier },
  nodeType: { pattern: P.nodeType },
  numberOfNodes: { pattern: P.nodes },
  namespaceName: { pattern: P.resourceName },
  baseCapacity: { pattern: P.rpus },
  database: { pattern: P.identifier },
  logData: { pattern: P.s3Url },
  songData: { pattern: P.s3Url },
  logJsonPath: { pattern: P.s3Url },
  s3Region: { pattern: P.region },
  copyRoleArn: { pattern: P.roleArn, optional: true },
  compactedSongs: { pattern: P.s3Url, optional: true },
  compactTargetMb: { pattern: P.megabytes },
  compactSlices: { pattern: P.slices },
  pauseAfterLoad: { pattern: P.flag },
  eventsMaxError: { pattern: P.maxError },
  songsMaxError: { pattern: P.maxError },
  copyTimeoutSeconds: { pattern: P.seconds },
  statementTimeoutSeconds: { pattern: P.seconds },
  warehouseTimeoutSeconds: { pattern: P.seconds },
  runTimeoutSeconds: { pattern: P.seconds },
  scheduleRate: { pattern: P.schedule },
  scheduleEnabled: { pattern: P.flag },
  alertEmail: { pattern: P.email, optional: true },
};

/** The stage's parameters as osls resolves them: --param first, then params.<stage>, then params.default. */
function resolveParams(configParams = {}, stage, cliParams = []) {
  const params = { ...(configParams.default || {}), ...(configParams[stage] || {}) };
  for (const item of cliParams) {
    const match = /^([^=]+)=(.+)$/.exec(item);
    if (match) params[match[1]] = match[2].trimEnd();
  }
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, value == null ? '' : String(value).trim()]));
}

/** Splits s3://bucket/key into its parts; undefined when the URL is malformed. */
function parseS3Url(url) {
  if (!P.s3Url[0].test(url)) return undefined;
  const [, bucket, key = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  return { bucket, key };
}

/** Every problem with the parameters, each naming its parameter; empty when they are fine. */
function validateParams(params, { region } = {}) {
  const errors = [];
  const bad = (name, why) => errors.push(`Parameter ${name}: ${why}`);
  const value = (name) => params[name] ?? '';

  for (const name of Object.keys(params)) {
    if (!(name in SPEC)) bad(name, `is not a parameter of this service (known: ${Object.keys(SPEC).join(', ')})`);
  }
  for (const [name, spec] of Object.entries(SPEC)) {
    const v = value(name);
    if (v === '') {
      if (!spec.optional) bad(name, 'is required');
    } else if (spec.oneOf && !spec.oneOf.includes(v)) {
      bad(name, `${JSON.stringify(v)} is not one of ${spec.oneOf.join(', ')}`);
    } else if (spec.pattern && !spec.pattern[0].test(v)) {
      bad(name, `${JSON.stringify(v)} is not ${spec.pattern[1]}`);
    }
  }

  // What applies to which warehouse: a value the chosen variant would ignore is a mistake.
  const warehouse = value('warehouse');
  const creates = warehouse === 'new-cluster' || warehouse === 'new-serverless';
  const onCluster = warehouse === 'cluster' || warehouse === 'new-cluster';
  if (warehouse === 'workgroup' && value('workgroupArn') === '') {
    bad('workgroupArn', 'is required with warehouse=workgroup: IAM names a workgroup by its ARN, which carries its id (aws redshift-serverless get-workgroup --workgroup-name <name>)');
  }
  if (warehouse !== 'workgroup' && value('workgroupArn') !== '') {
    bad('workgroupArn', `applies to warehouse=workgroup only (warehouse is ${warehouse}); add --param="warehouse=workgroup" --param="workgroupName=<name>"`);
  }
  if (creates && value('secretArn') !== '') bad('secretArn', `does not apply to warehouse=${warehouse}: the created warehouse's admin secret is managed by Redshift`);
  if (creates && value('copyRoleArn') !== '') bad('copyRoleArn', `does not apply to warehouse=${warehouse}: the stack creates the COPY role`);
  if (!onCluster && value('pauseAfterLoad') === 'true') bad('pauseAfterLoad', 'applies to a provisioned cluster only: a serverless workgroup has no pause and bills only while it runs queries');
  const compacted = value('compactedSongs').replace(/\/+$/, '');
  for (const source of ['songData', 'logData']) {
    if (compacted !== '' && (`${compacted}/`.startsWith(value(source)) || value(source).startsWith(`${compacted}/`))) {
      bad('compactedSongs', `must not overlap ${source} (${value(source)}): COPY reads every key under its prefix`);
    }
  }
  const arnRegion = value('workgroupArn').split(':')[3];
  if (warehouse === 'workgroup' && region && arnRegion && arnRegion !== region) {
    bad('workgroupArn', `is in ${arnRegion} but the stack deploys to ${region}`);
  }
  return errors;
}

module.exports = { WAREHOUSES, SPEC, resolveParams, parseS3Url, validateParams };
