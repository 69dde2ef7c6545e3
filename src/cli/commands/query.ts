import { existsSync } from 'node:fs';
import { connectToWarehouse, formatTable, startLocalWarehouse } from '../../offline/runner';
import { ENGINE_HELP, ENGINE_OPTIONS, UsageError, engineFlags, parseFlags, type EngineFlagValues } from '../args';
import { workspace } from '../workspace';

export const QUERY_HELP = `Usage: sparkify query "SQL" [--json] [--endpoint URL | --engine pglite|postgres --database-url URL --data-dir DIR]

Runs one SQL statement against the local warehouse, through the Data API emulator and the AWS SDK
client as everything else does, and prints the result as a table.

  --json                    print the rows as a JSON array of objects
  --endpoint URL            use a running emulator (sparkify emulator) instead of starting one
${ENGINE_HELP}

Example: sparkify query "SELECT level, COUNT(*) FROM songplays GROUP BY level"`;

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('query', args, { json: { type: 'boolean' }, endpoint: { type: 'string' }, ...ENGINE_OPTIONS }, true);
  if (values.help) {
    console.log(QUERY_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0].trim() === '') {
    throw new UsageError('sparkify query takes exactly one SQL statement, quoted as one argument');
  }
  const warehouse = values.endpoint ? connectToWarehouse(endpointUrl(values.endpoint, values)) : await startKeptWarehouse(values);
  if (!warehouse) return 1;
  try {
    const result = await warehouse.query(positionals[0]);
    if (values.json) console.log(JSON.stringify(result.rows, null, 2));
    else if (result.hasResultSet) console.log(`${formatTable(result.rows)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
    else console.log(`OK${result.resultRows === null ? '' : `, ${result.resultRows} rows affected`}`);
    return 0;
  } finally {
    await warehouse.stop();
  }
}

function endpointUrl(endpoint: string, values: EngineFlagValues): string {
  if (values.engine || values['database-url'] || values['data-dir']) {
    throw new UsageError('--endpoint uses a running emulator; --engine, --database-url and --data-dir are for starting one');
  }
  if (!/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL like http://127.0.0.1:5439, got ${JSON.stringify(endpoint)}`);
  return endpoint;
}

async function startKeptWarehouse(values: EngineFlagValues) {
  const engine = engineFlags(values, workspace.warehouse);
  if (engine.warehouseDir && !existsSync(engine.warehouseDir)) {
    console.error(`No local warehouse at ${engine.warehouseDir}: run \`sparkify run\` first, or pass --data-dir`);
    return undefined;
  }
  return startLocalWarehouse(engine);
}
