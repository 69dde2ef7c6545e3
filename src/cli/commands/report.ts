import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectToWarehouse, startLocalWarehouse } from '../../offline/runner';
import { gatherReportData, renderReport } from '../../report';
import { ENGINE_HELP, ENGINE_OPTIONS, engineFlags, parseFlags } from '../args';
import { endpointUrl } from '../endpoint';
import { workspace } from '../workspace';

export const REPORT_HELP = `Usage: sparkify report [--out FILE] [--endpoint URL | --engine pglite|postgres --database-url URL --data-dir DIR]

Writes the analysts' report: one self-contained HTML file (charts as inline SVG, no script, nothing
fetched when it is opened) with plays by hour and weekday, top songs and artists, free vs paid over time,
the busiest users and locations, the published row counts, the match rate of plays against the catalogue
and the latest load errors. It reads the local warehouse through the Data API, as \`sparkify query\` does.

  --out FILE                where to write it (default sparkify-report.html)
  --endpoint URL            use a running emulator (sparkify emulator) instead of starting one
${ENGINE_HELP}`;

export async function reportCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('report', args, { out: { type: 'string' }, endpoint: { type: 'string' }, ...ENGINE_OPTIONS });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  const out = path.resolve(values.out ?? 'sparkify-report.html');
  const target = values.endpoint ? { endpoint: endpointUrl(values.endpoint, values) } : engineFlags(values, workspace.warehouse);
  if ('warehouseDir' in target && target.warehouseDir && !existsSync(target.warehouseDir)) {
    console.error(`No local warehouse at ${target.warehouseDir}: run \`sparkify run\` first, or pass --data-dir`);
    return 1;
  }
  const warehouse = 'endpoint' in target ? connectToWarehouse(target.endpoint) : await startLocalWarehouse(target);
  const source = 'endpoint' in target ? target.endpoint : target.warehouseDir ? shortPath(target.warehouseDir) : 'the PostgreSQL server';
  try {
    const data = await gatherReportData(warehouse);
    await writeFile(out, await renderReport(data, { source, generatedAt: new Date() }));
  } finally {
    await warehouse.stop();
  }
  console.log(`Wrote ${out}`);
  return 0;
}

/** Relative to the working directory when inside it, as a user typed it. */
function shortPath(dir: string): string {
  const relative = path.relative('', dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

