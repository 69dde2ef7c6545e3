/**
 * One PGlite engine per data directory. PGlite does not lock its directory itself, and two engines on one
 * directory (say `sparkify emulator` in one terminal and `sparkify run` in another) each keep their own
 * copy in memory: whichever closes last overwrites the other's writes. The lock is a file next to the
 * directory naming the owner: its process id and when that process started. A lock whose process has
 * ended is stale and taken over; so is one whose process id now belongs to a process that started at
 * another time (the id was reused after the owner died, say after a SIGKILL or a reboot).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Takes the directory's lock, or fails naming the process that holds it. Resolves to the release function. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${path.resolve(dataDir)}.lock`;
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid} ${processStartId(process.pid) ?? ''}\n`, { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [pidText, startId] = (await readFile(lockFile, 'utf8').catch(() => '')).trim().split(' ');
    const holder = Number(pidText);
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder) && isSameProcess(holder, startId)) {
      throw new Error(
        `The PGlite warehouse in ${dataDir} is already open in process ${holder}${holder === process.pid ? ' (this one)' : ''}. ` +
          `Stop that process, or use another data directory; if no such process is running, delete ${lockFile}.`,
      );
    }
    await rm(lockFile, { force: true }); // stale: its process has ended, or its id was reused
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

/** Whether the running process `pid` is the one that wrote the lock (a lock without a start time is trusted). */
function isSameProcess(pid: number, recordedStartId: string | undefined): boolean {
  if (!recordedStartId) return true;
  const current = processStartId(pid);
  return current === undefined || current === recordedStartId;
}

/**
 * When a process started, as the OS tells it: field 22 of /proc/<pid>/stat (clock ticks since boot) on
 * Linux, else `ps -o lstart=`. Undefined when neither answers.
 */
export function processStartId(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    try {
      return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim().replace(/\s+/g, '_') || undefined;
    } catch {
      return undefined;
    }
  }
}
