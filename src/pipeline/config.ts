/**
 * Pipeline configuration, read from environment variables only (Lambda sets them from serverless.yml;
 * the offline runner sets them before importing the handlers). Every value is checked against a strict
 * pattern here, because some of them end up inside SQL text (COPY cannot take Data API parameters).
 */

/** Where statements run: a provisioned cluster (as a database user or with a secret) or a serverless workgroup. */
export type WarehouseTarget =
  | { kind: 'cluster'; clusterId: string; database: string; dbUser?: string; secretArn?: string }
  | { kind: 'workgroup'; workgroup: string; database: string; secretArn?: string };

export interface PipelineConfig {
  target: WarehouseTarget;
  s3: {
    logData: string;
    songData: string;
    logJsonPath: string;
    region: string;
    /**
     * Where the compactSongs stage writes each run's compacted song objects and their manifest (an s3://
     * prefix the project owns); undefined means compaction is not available.
     */
    compactedSongs?: string;
  };
  /** How compactSongs sizes its objects: about targetBytes each, their count a multiple of slices. */
  compaction: { targetBytes: number; slices: number };
  /** IAM role COPY assumes to read S3; undefined means the cluster's default role (IAM_ROLE default). */
  copyRoleArn?: string;
  /**
   * How long a statement may run before it is cancelled (COPY stages, every other stage), and how long a
   * run waits for the warehouse to become available.
   */
  budgets: { copySeconds: number; statementSeconds: number; warehouseSeconds: number };
  /** Pause the cluster after the load when this run resumed it. */
  pauseAfterLoad: boolean;
  /** COPY's MAXERROR per source: records it may reject (each in sys_load_error_detail) and still load. */
  maxErrors: { events: number; songs: number };
}

/** A nightly COPY of a year's events takes minutes; hours mean a lock or a stuck cluster. */
export const DEFAULT_BUDGETS = { copySeconds: 4 * 3600, statementSeconds: 3600, warehouseSeconds: 1800 } as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PATTERNS = {
  clusterId: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
  // A workgroup name, or its ARN (the Data API takes either; serverless.yml passes the ARN for IAM scoping).
  workgroup: /^([a-z0-9-]{3,64}|arn:aws[a-z-]*:redshift-serverless:[a-z0-9-]+:\d{12}:workgroup\/[a-z0-9-]+)$/,
  identifier: /^[a-z_][a-z0-9_$]{0,126}$/,
  // Redshift-managed secrets are named redshift!<cluster>-<user>.
  secretArn: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/,
  roleArn: /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9/_+=,.@-]+$/,
  // Bucket names, then a key of plain path characters: nothing that could close a SQL literal.
  s3Url: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.*()\/=+-]*)?$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d$/,
  seconds: /^[1-9]\d{0,5}$/,
  // Redshift's MAXERROR limit is 100000.
  maxError: /^(100000|\d{1,5})$/,
  flag: /^(true|false)$/,
  // Megabytes per compacted object (AWS advises 1 MB to 1 GB after compression), and slices: 1–9999.
  megabytes: /^[1-9]\d{0,3}$/,
  slices: /^[1-9]\d{0,3}$/,
} as const;

/** Compacted objects of about 64 MB, and at least 2 of them: the slices of one ra3.xlplus node. */
export const DEFAULT_COMPACTION = { targetMegabytes: 64, slices: 2 } as const;

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string, pattern: RegExp, fallback?: string): string | undefined {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  if (value !== undefined && !pattern.test(value)) {
    throw new ConfigError(`Environment variable ${name} is invalid: ${JSON.stringify(value)} does not match ${pattern}`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): PipelineConfig {
  const database = read(env, 'REDSHIFT_DATABASE', PATTERNS.identifier, 'dev')!;
  const clusterId = read(env, 'REDSHIFT_CLUSTER_ID', PATTERNS.clusterId);
  const workgroup = read(env, 'REDSHIFT_WORKGROUP', PATTERNS.workgroup);
  const dbUser = read(env, 'REDSHIFT_DB_USER', PATTERNS.identifier);
  const secretArn = read(env, 'REDSHIFT_SECRET_ARN', PATTERNS.secretArn);

  let target: WarehouseTarget;
  if (clusterId && workgroup) {
    throw new ConfigError('Set only one of REDSHIFT_CLUSTER_ID and REDSHIFT_WORKGROUP, not both');
  } else if (clusterId) {
    if (!dbUser === !secretArn) {
      throw new ConfigError('With REDSHIFT_CLUSTER_ID, set exactly one of REDSHIFT_DB_USER and REDSHIFT_SECRET_ARN');
    }
    target = { kind: 'cluster', clusterId, database, ...(dbUser ? { dbUser } : { secretArn }) };
  } else if (workgroup) {
    if (dbUser) throw new ConfigError('REDSHIFT_DB_USER applies to a cluster only; a workgroup uses IAM or REDSHIFT_SECRET_ARN');
    target = { kind: 'workgroup', workgroup, database, ...(secretArn ? { secretArn } : {}) };
  } else {
    throw new ConfigError('Set REDSHIFT_CLUSTER_ID (provisioned cluster) or REDSHIFT_WORKGROUP (Redshift Serverless)');
  }

  const s3 = {
    logData: read(env, 'S3_LOG_DATA', PATTERNS.s3Url, 's3://udacity-dend/log_data')!,
    songData: read(env, 'S3_SONG_DATA', PATTERNS.s3Url, 's3://udacity-dend/song_data')!,
    logJsonPath: read(env, 'S3_LOG_JSONPATH', PATTERNS.s3Url, 's3://udacity-dend/log_json_path.json')!,
    region: read(env, 'S3_REGION', PATTERNS.region, 'us-west-2')!,
    compactedSongs: read(env, 'S3_COMPACTED_SONGS', PATTERNS.s3Url)?.replace(/\/+$/, ''),
  };
  if (s3.compactedSongs !== undefined) {
    // COPY reads every key that starts with its FROM prefix: compacted objects under a source prefix would
    // be loaded again with the sources, and sources under the compacted prefix would be overwritten.
    for (const [name, source] of [['S3_SONG_DATA', s3.songData], ['S3_LOG_DATA', s3.logData]] as const) {
      if (`${s3.compactedSongs}/`.startsWith(source) || source.startsWith(`${s3.compactedSongs}/`)) {
        throw new ConfigError(`S3_COMPACTED_SONGS (${s3.compactedSongs}) must not overlap ${name} (${source}): COPY would read one with the other`);
      }
    }
  }

  return {
    target,
    s3,
    compaction: {
      targetBytes: Number(read(env, 'COMPACT_TARGET_MB', PATTERNS.megabytes, String(DEFAULT_COMPACTION.targetMegabytes))) * 1024 * 1024,
      slices: Number(read(env, 'COMPACT_SLICES', PATTERNS.slices, String(DEFAULT_COMPACTION.slices))),
    },
    copyRoleArn: read(env, 'COPY_ROLE_ARN', PATTERNS.roleArn),
    budgets: {
      copySeconds: Number(read(env, 'COPY_TIMEOUT_SECONDS', PATTERNS.seconds, String(DEFAULT_BUDGETS.copySeconds))),
      statementSeconds: Number(read(env, 'STATEMENT_TIMEOUT_SECONDS', PATTERNS.seconds, String(DEFAULT_BUDGETS.statementSeconds))),
      warehouseSeconds: Number(read(env, 'WAREHOUSE_TIMEOUT_SECONDS', PATTERNS.seconds, String(DEFAULT_BUDGETS.warehouseSeconds))),
    },
    pauseAfterLoad: read(env, 'PAUSE_AFTER_LOAD', PATTERNS.flag, 'false') === 'true',
    maxErrors: {
      events: Number(read(env, 'EVENTS_MAXERROR', PATTERNS.maxError, '0')),
      songs: Number(read(env, 'SONGS_MAXERROR', PATTERNS.maxError, '0')),
    },
  };
}
