/**
 * Drives LiveProgress through the real log-update onto a fake terminal and prints what reached it, as
 * JSON: run by progress.test.ts under tsx, because log-update is ESM only.
 */
import { Writable } from 'node:stream';
import { LiveProgress, type LogUpdate } from '../../../src/offline/runner/progress';

const chunks: string[] = [];
const terminal = Object.assign(new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } }), { isTTY: true, columns: 100, rows: 30 });

void (async () => {
  const { createLogUpdate } = await import('log-update');
  const live = new LiveProgress(terminal, createLogUpdate(terminal as unknown as NodeJS.WriteStream) as LogUpdate);
  live.update({ stage: 'StageEvents', state: 'running', detail: 'statement 0123abcd STARTED' });
  live.update({ stage: 'StageEvents', state: 'done', detail: '8,056 rows' });
  live.stop();
  process.stdout.write(JSON.stringify(chunks));
})();
