import { existsSync } from 'node:fs';
import { connectToWarehouse, formatTable, startLocalWarehouse, type QueryResult } from '../../offline/runner';
import { splitStatements } from '../../pipeline/sql-files';
import { ENGINE_HELP, ENGINE_OPTIONS, UsageError, engineFlags, parseFlags, type EngineFlagValues } from '../args';
import { endpointUrl } from '../endpoint';
import { workspace } from '../workspace';

export const QUERY_HELP = `Usage: sparkify query "SQL" [--json] [--endpoint URL | --engine pglite|postgres --database-url URL --data-dir DIR]

Runs SQL against the local warehouse, through the Data API emulator and the AWS SDK client as everything
else does, and prints the result as a table. Several statements separated by ';' run as one
BatchExecuteStatement (one transaction, as on Redshift), and each one's result is printed in turn.

  --json                    print the rows as a JSON array of objects; for several statements, an array
                            with one {"sql", "rows"} or {"sql", "rowsAffected"} per statement
  --endpoint URL            use a running emulator (sparkify emulator) instead of starting one
${ENGINE_HELP}

Example: sparkify query "SELECT level, COUNT(*) FROM songplays GROUP BY level"`;

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('query', args, { json: { type: 'boolean' }, endpoint: { type: 'string' }, ...ENGINE_OPTIONS }, true);
  if (values.help) {
    console.log(QUERY_HELP);
    return 0;
  }
  const sqls = positionals.length === 1 ? splitStatements(positionals[0]) : [];
  if (sqls.length === 0) throw new UsageError('sparkify query takes the SQL as one quoted argument');
  const warehouse = values.endpoint ? connectToWarehouse(endpointUrl(values.endpoint, values)) : await startKeptWarehouse(values);
  if (!warehouse) return 1;
  try {
    const results = sqls.length === 1 ? [await warehouse.query(sqls[0])] : await warehouse.queryEach(sqls);
    if (!values.json) console.log(results.map(asText).join('\n\n'));
    else if (sqls.length === 1) console.log(JSON.stringify(results[0].rows, null, 2));
    else console.log(JSON.stringify(results.map((result, i) => ({ sql: sqls[i], ...asJson(result) })), null, 2));
    return 0;
  } finally {
    await warehouse.stop();
  }
}

function asText(result: QueryResult): string {
  if (!result.hasResultSet) return `OK${result.resultRows === null ? '' : `, ${result.resultRows} rows affected`}`;
  return `${formatTable(result.rows)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
}

function asJson(result: QueryResult) {
  return result.hasResultSet ? { rows: result.rows } : { rowsAffected: result.resultRows };
}

async function startKeptWarehouse(values: EngineFlagValues) {
  const engine = engineFlags(values, workspace.warehouse);
  if (engine.warehouseDir && !existsSync(engine.warehouseDir)) {
    console.error(`No local warehouse at ${engine.warehouseDir}: run \`sparkify run\` first, or pass --data-dir`);
    return undefined;
  }
  return startLocalWarehouse(engine);
}
