/**
 * The Data API emulator's memory under large results; prints figures, asserts nothing.
 * `npm run bench:emulator-memory -- [--engine pglite|postgres] [--database-url URL] [--rows N] [--runs N]`
 *
 * Runs the emulator in this process (PGlite's worker thread included) and a client that only polls and
 * reads the first page, so the resident set is the emulator's. Samples RSS every 20 ms for the peaks.
 */
import { parseArgs } from 'node:util';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { startEmulator } from '../src/offline/emulator';
import type { EngineKind } from '../src/offline/engines';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MB = 1024 * 1024;
const TARGET = { ClusterIdentifier: 'bench', Database: 'dev' };

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    'database-url': { type: 'string' },
    rows: { type: 'string', default: '2000000' },
    runs: { type: 'string', default: '5' },
  },
  strict: true,
});

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
const rssMb = () => Math.round(process.memoryUsage.rss() / MB);
/** The peak since the last call, then starts a new window. */
const takePeakMb = () => {
  const value = Math.round(Math.max(peak, process.memoryUsage.rss()) / MB);
  peak = 0;
  return value;
};

async function main(): Promise<void> {
  const rows = Number(values.rows);
  const emulator = await startEmulator({ engine: values.engine as EngineKind, databaseUrl: values['database-url'] });
  const client = new RedshiftDataClient({
    endpoint: emulator.endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
  });
  const run = async (sql: string) => {
    const started = Date.now();
    const { Id } = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: sql }));
    for (;;) {
      const described = await client.send(new DescribeStatementCommand({ Id }));
      if (['FINISHED', 'FAILED', 'ABORTED'].includes(described.Status!)) {
        return { id: Id!, seconds: (Date.now() - started) / 1000, ...described };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const firstPage = (id: string) =>
    client.send(new GetStatementResultCommand({ Id: id })).then(
      (page) => `${page.TotalNumRows} rows, first page ${page.Records?.length} records`,
      (error: Error) => `${error.name}: ${error.message}`,
    );

  console.log(`engine ${values.engine}; RSS after start: ${rssMb()} MB (peak ${takePeakMb()} MB)`);
  const query = `select g as id, md5(g::text) as hash, 'song ' || g as title from generate_series(1, ${rows}) g`;

  const one = await run(query);
  console.log(
    `one ${rows}-row result: ${one.Status} in ${one.seconds} s, ResultSize ${Math.round(one.ResultSize! / MB)} MB; ` +
      `RSS ${rssMb()} MB, peak ${takePeakMb()} MB; ${await firstPage(one.id)}`,
  );

  const ids: string[] = [];
  for (let n = 1; n <= Number(values.runs); n++) {
    const next = await run(query);
    ids.push(next.id);
    console.log(`in a row, #${n}: ${next.Status} in ${next.seconds} s; RSS ${rssMb()} MB, peak ${takePeakMb()} MB`);
  }
  console.log(`the first of them now: ${await firstPage(ids[0])}; the last: ${await firstPage(ids[ids.length - 1])}`);

  const huge = await run(`select g as id, repeat('x', 60000) as blob from generate_series(1, 2000) g`);
  console.log(`a 120 MB result: ${huge.Status} "${huge.Error}" in ${huge.seconds} s; RSS ${rssMb()} MB, peak ${takePeakMb()} MB`);

  client.destroy();
  await emulator.stop();
  clearInterval(sampler);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
