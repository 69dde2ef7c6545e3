import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFaultPlan } from '../../offline/emulator';
import { OFFLINE_BUCKET, offlineClientEnvironment, startOfflineEmulator } from '../../offline/runner';
import { OFFLINE_STAGING_BUCKET, OFFLINE_TARGET } from '../../offline/runner/warehouse';
import { EMBEDDED_ENGINE_HELP, ENGINE_HELP, ENGINE_OPTIONS, chooseEngine, parseFlags, port } from '../args';
import { onStopSignal } from '../stop-signals';
import { workspace } from '../workspace';

export const DEFAULT_EMULATOR_PORT = 5439;

export const EMULATOR_HELP = `Usage: sparkify emulator [--port N] [--s3-root DIR] [--data DIR] [--engine pglite|postgres|embedded] [--database-url URL] [--data-dir DIR] [--faults FILE] [--paused]

Starts the local Redshift Data API emulator (awsJson1_1 over HTTP on 127.0.0.1) and runs until Ctrl-C.
The same endpoint answers the Redshift control plane (DescribeClusters, PauseCluster, ResumeCluster, …)
for the cluster ${OFFLINE_TARGET.clusterId}, and Redshift Serverless GetWorkgroup.
Point any client at it with the environment variables it prints.

  --port N                  port to listen on (default ${DEFAULT_EMULATOR_PORT}; 0 picks a free one)
  --s3-root DIR             folder standing for S3: each first-level folder is a bucket
  --data DIR                folder mounted as the bucket ${OFFLINE_BUCKET}, as sparkify run does
  --faults FILE             JSON fault plan to arm at start (see docs/emulator.md#fault-injection)
  --paused                  start the cluster paused: Data API calls fail until it is resumed
${ENGINE_HELP}
${EMBEDDED_ENGINE_HELP}`;

export async function emulatorCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('emulator', args, {
    port: { type: 'string' },
    's3-root': { type: 'string' },
    data: { type: 'string' },
    faults: { type: 'string' },
    paused: { type: 'boolean' },
    ...ENGINE_OPTIONS,
  });
  if (values.help) {
    console.log(EMULATOR_HELP);
    return 0;
  }
  const listenPort = port(values.port, DEFAULT_EMULATOR_PORT);
  const faults = values.faults ? parseFaultPlan(JSON.parse(await readFile(values.faults, 'utf8'))) : undefined;
  const engine = await chooseEngine(values, workspace.root, (line) => console.log(line));
  // The bucket compaction writes to: .sparkify/s3/sparkify-staging, unless --s3-root has its own.
  const s3Root = values['s3-root'] && path.resolve(values['s3-root']);
  const stagingDir = s3Root && existsSync(path.join(s3Root, OFFLINE_STAGING_BUCKET)) ? undefined : workspace.staging;
  if (stagingDir) await mkdir(stagingDir, { recursive: true });
  let emulator;
  try {
    emulator = await startOfflineEmulator({
      engine: engine.engine,
      databaseUrl: engine.databaseUrl,
      warehouseDir: engine.warehouseDir,
      s3Root,
      bucketDir: values.data && path.resolve(values.data),
      stagingDir,
      port: listenPort,
      startPaused: values.paused,
    });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  if (faults) emulator.faults.add(faults);
  const exports = Object.entries(offlineClientEnvironment(emulator.endpoint)).map(([name, value]) => `export ${name}=${value}`);
  console.log(`Redshift Data API emulator listening on ${emulator.endpoint} (engine ${engine.description})`);
  if (engine.clientUrl) console.log(`PostgreSQL clients (psql, DBeaver) open the warehouse at ${engine.clientUrl}\n  psql '${engine.clientUrl}'`);
  if (!values.data && !values['s3-root']) {
    console.log(`No folder stands for S3 (--data DIR or --s3-root DIR), so COPY finds no bucket: the stageEvents and stageSongs stages will fail.`);
  }
  if (values.paused) console.log(`The cluster ${OFFLINE_TARGET.clusterId} is paused: resume it with \`sparkify cluster resume --endpoint ${emulator.endpoint}\`.`);
  console.log(`Point a Data API client at it (dummy credentials; the emulator ignores signatures):\n${exports.join('\n')}`);
  console.log(`The AWS CLI before 1.29 (v1) or 2.13 (v2) and boto3 before 1.28 ignore the AWS_ENDPOINT_URL_* variables: give them --endpoint-url ${emulator.endpoint} (endpoint_url= in boto3).`);
  console.log('Press Ctrl-C to stop.');

  let release!: () => void;
  await new Promise<void>((resolve) => {
    release = onStopSignal(() => resolve(), () => console.log('Still stopping: waiting for the warehouse to close…'));
  });
  try {
    console.log('Stopping the emulator…');
    await emulator.stop();
    await engine.stop();
    console.log('Stopped.');
    return 0;
  } finally {
    release();
  }
}
