/**
 * bin/sparkify (or another command) as a user runs it: spawned as a process. Every wait on its output also
 * watches for its exit, so a line that never comes fails the test at once instead of hanging it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../bin/sparkify');

export interface Finished {
  /** The exit status, or 128 + the signal's number when a signal ended the process. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Variables added to the test's environment. */
  env?: Record<string, string>;
  /** In a process group of its own, as a terminal runs a command; signal the group with kill(-pid). */
  detached?: boolean;
}

export class CommandProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;

  constructor(command: string, cwd: string, args: string[], options: SpawnOptions = {}) {
    this.child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', ...options.env }, detached: options.detached });
    this.child.stdout.on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    this.finished = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        resolve({ code: code ?? 128 + constants.signals[signal!], stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once `text` has been printed on `stream`; rejects if the process ends without printing it. */
  printed(text: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => this[stream].includes(text) && resolve();
      check();
      this.child[stream].on('data', check);
      this.finished.then(
        ({ code }) => reject(new Error(`${path.basename(this.child.spawnfile)} exited (${code}) before printing ${JSON.stringify(text)}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)),
        reject,
      );
    });
  }
}

export class SparkifyProcess extends CommandProcess {
  constructor(cwd: string, args: string[], options?: SpawnOptions) {
    super(BIN, cwd, args, options);
  }
}

/** Runs sparkify to its end. */
export function sparkify(cwd: string, args: string[], options?: SpawnOptions): Promise<Finished> {
  return new SparkifyProcess(cwd, args, options).finished;
}
