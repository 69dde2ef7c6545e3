import { existsSync } from 'node:fs';
import { formatTable, startLocalWarehouse } from '../../offline/runner';
import { ENGINE_HELP, ENGINE_OPTIONS, UsageError, engineFlags, parseFlags } from '../args';
import { workspace } from '../workspace';

export const QUERY_HELP = `Usage: sparkify query "SQL" [--json] [--engine pglite|postgres] [--database-url URL] [--data-dir DIR]

Runs one SQL statement against the local warehouse, through the Data API emulator and the AWS SDK
client as everything else does, and prints the result as a table.

  --json                    print the rows as a JSON array of objects
${ENGINE_HELP}

Example: sparkify query "SELECT level, COUNT(*) FROM songplays GROUP BY level"`;

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('query', args, { json: { type: 'boolean' }, ...ENGINE_OPTIONS }, true);
  if (values.help) {
    console.log(QUERY_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0].trim() === '') {
    throw new UsageError('sparkify query takes exactly one SQL statement, quoted as one argument');
  }
  const engine = engineFlags(values, workspace.warehouse);
  if (engine.warehouseDir && !existsSync(engine.warehouseDir)) {
    console.error(`No local warehouse at ${engine.warehouseDir}: run \`sparkify run\` first, or pass --data-dir`);
    return 1;
  }
  const warehouse = await startLocalWarehouse(engine);
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
