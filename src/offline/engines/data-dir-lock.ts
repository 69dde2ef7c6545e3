/**
 * One PGlite engine per data directory. PGlite does not lock its directory itself, and two engines on one
 * directory (say `sparkify emulator` in one terminal and `sparkify run` in another) each keep their own
 * copy in memory: whichever closes last overwrites the other's writes. The lock is a file next to the
 * directory holding the owner's process id; a lock whose process has ended is stale and taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Takes the directory's lock, or fails naming the process that holds it. Resolves to the release function. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${path.resolve(dataDir)}.lock`;
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new Error(
        `The PGlite warehouse in ${dataDir} is already open in process ${holder}${holder === process.pid ? ' (this one)' : ''}. ` +
          `Stop that process, or use another data directory; if no such process is running, delete ${lockFile}.`,
      );
    }
    await rm(lockFile, { force: true }); // stale: its process has ended
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
