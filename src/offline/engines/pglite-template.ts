/**
 * A fresh PGlite data directory, copied from a template instead of made by initdb. PGlite's initdb
 * takes about 4 s and peaks near 900 MB of memory (its own WASM instance); a copy of the 39 MB it
 * produces takes well under a second. The template is made once per machine and PGlite version, in a
 * child process, so that peak never lands in the process running the warehouse.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The installed PGlite's version (its package.json is not exported, so it is read beside its entry point). */
function pgliteVersion(): string {
  const packageJson = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** Where the template lives: in the machine's temp folder, one per PGlite version. */
export function templateDir(): string {
  return path.join(os.tmpdir(), `sparkify-pglite-template-${pgliteVersion()}`);
}

/** Fills `dataDir` (missing or empty) from the template, making the template first if needed; leaves an initialised one alone. */
export async function seedDataDir(dataDir: string): Promise<void> {
  if (await isInitialised(dataDir)) return;
  if ((await readdir(dataDir).catch(() => [])).length > 0) return; // not ours to fill: PGlite reports what it finds
  const template = await ensureTemplate();
  await cp(template, dataDir, { recursive: true });
}

async function isInitialised(dir: string): Promise<boolean> {
  return stat(path.join(dir, 'PG_VERSION')).then(() => true, () => false);
}

async function ensureTemplate(): Promise<string> {
  const target = templateDir();
  if (await isInitialised(target)) return target;
  // Made aside and renamed into place, so a concurrent start never sees half a template.
  const scratch = await mkdtemp(`${target}-making-`);
  try {
    const script = `require(${JSON.stringify(require.resolve('@electric-sql/pglite'))}).PGlite.create(process.argv[1]).then((db) => db.close())`;
    await run(process.execPath, ['-e', script, scratch]);
    await rename(scratch, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process made it first.
      if (!(await isInitialised(target))) throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}
