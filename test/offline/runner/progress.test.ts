/** Progress: plain lines that show each status change once, and the live display a terminal gets. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { LiveProgress, ProgressReporter, type LogUpdate, type StageUpdate } from '../../../src/offline/runner/progress';

type Event = Parameters<ProgressReporter['onEvent']>[0];

const entered = (name: string, index?: number, input: unknown = {}) =>
  ({ type: 'StateEntered', index, state: { name, type: 'Task', input } }) as unknown as Event;
const exited = (name: string, index?: number) => ({ type: 'StateExited', index, state: { name, type: 'Task' } }) as unknown as Event;

const statement = (status: string, resultRows: number | null = null) => ({
  stage: 'stageEvents', statementId: '0123abcd-0000-0000-0000-000000000000', status, resultRows, waitSeconds: 5, attempt: 1, submittedAt: 0,
});

/** One poll of PollStageEvents returning `result`, as the runner reports it. */
function poll(reporter: ProgressReporter, result: unknown, index?: number): void {
  reporter.onEvent(entered('PollStageEvents', index, { load: { day: '2018-11-02' } }));
  reporter.recordTaskResult('PollStageEvents', 'pollStatement', result);
  reporter.onEvent(exited('PollStageEvents', index));
}

describe('ProgressReporter', () => {
  test('a status that the last poll already showed is not repeated; each change is', () => {
    const lines: string[] = [];
    const updates: StageUpdate[] = [];
    const reporter = new ProgressReporter((line) => lines.push(line.replace(/^\[ *[\d.]+s\] /, '')), 150, (update) => updates.push(update));
    for (const status of ['PICKED', 'PICKED', 'STARTED', 'STARTED', 'STARTED']) poll(reporter, statement(status), 0);
    poll(reporter, statement('FINISHED', 42), 0);
    expect(lines).toEqual([
      'PollStageEvents [2018-11-02]: started',
      'PollStageEvents [2018-11-02]: stageEvents statement 0123abcd PICKED, next poll in 5s on AWS, 150 ms here',
      'PollStageEvents [2018-11-02]: stageEvents statement 0123abcd STARTED, next poll in 5s on AWS, 150 ms here',
      'PollStageEvents [2018-11-02]: stageEvents statement 0123abcd FINISHED, 42 rows',
    ]);
    // The live display hears every poll, on the stage's own line (the submit's, without "Poll").
    expect(updates.at(-1)).toEqual({ stage: 'StageEvents [2018-11-02]', state: 'done', detail: '42 rows' });
    expect(updates.filter((update) => update.detail === 'statement 0123abcd STARTED')).toHaveLength(3);
  });

  test("a staging batch shows the rows its COPY loaded, not the sum over its statements", () => {
    const lines: string[] = [];
    const updates: StageUpdate[] = [];
    const reporter = new ProgressReporter((line) => lines.push(line.replace(/^\[ *[\d.]+s\] /, '')), 150, (update) => updates.push(update));
    poll(reporter, { ...statement('FINISHED', 211), copiedRows: 71 }, 0);
    expect(lines.at(-1)).toBe('PollStageEvents [2018-11-02]: stageEvents statement 0123abcd FINISHED, 71 rows copied');
    expect(updates.at(-1)).toEqual({ stage: 'StageEvents [2018-11-02]', state: 'done', detail: '71 rows copied' });
  });

  test('reviewLoad reports are kept, and shown as checks passed', () => {
    const updates: StageUpdate[] = [];
    const reporter = new ProgressReporter(() => undefined, 150, (update) => updates.push(update));
    const report = { day: null, checks: [{ check: 'a', failures: 0 }, { check: 'b', failures: 0 }], accounting: {}, unusable: {} };
    reporter.onEvent(entered('ReviewLoad'));
    reporter.recordTaskResult('ReviewLoad', 'reviewLoad', report);
    reporter.onEvent(exited('ReviewLoad'));
    expect(reporter.loadReports).toEqual([report]);
    expect(updates.at(-1)).toEqual({ stage: 'ReviewLoad', state: 'done', detail: '2 of 2 checks passed' });
  });
});

/** A log-update stand-in that keeps each frame. */
function fakeLogUpdate() {
  const calls: string[] = [];
  const render = Object.assign((text: string) => void calls.push(text), { clear: () => undefined, done: () => undefined }) as LogUpdate;
  render.clear = () => calls.push('<clear>');
  render.done = () => calls.push('<done>');
  return { render, calls };
}

describe('LiveProgress', () => {
  test('one line per stage: its state, elapsed time and what it has done', () => {
    let now = 1_000;
    const written: string[] = [];
    const { render, calls } = fakeLogUpdate();
    const live = new LiveProgress({ write: (text) => written.push(text), rows: 24 }, render, () => now);
    live.update({ stage: 'StageSongs', state: 'running', detail: 'statement 0123abcd STARTED' });
    now += 2_500;
    live.update({ stage: 'StageEvents [2018-11-02]', state: 'running' });
    now += 500;
    live.update({ stage: 'StageSongs', state: 'done', detail: '14,896 rows' });
    now += 61_000;
    live.update({ stage: 'StageEvents [2018-11-02]', state: 'failed', detail: 'StatementFailed: no such prefix' });
    live.stop();
    expect(live.frame().split('\n')).toEqual([
      '✔ StageSongs                done        3.0s  14,896 rows',
      '✖ StageEvents [2018-11-02]  failed     1m01s  StatementFailed: no such prefix',
    ]);
    // A failure also stays above the display, and the last frame is left on the terminal.
    expect(written).toEqual(['StageEvents [2018-11-02]: StatementFailed: no such prefix\n']);
    expect(calls.slice(-1)).toEqual(['<done>']);
    expect(calls).toContain('<clear>');
  });

  test('stages that outgrow the terminal fold the finished ones into a count', () => {
    const { render } = fakeLogUpdate();
    const live = new LiveProgress({ write: () => undefined, rows: 6 }, render, () => 0);
    for (let day = 1; day <= 10; day += 1) live.update({ stage: `PublishLoad [2018-11-${String(day).padStart(2, '0')}]`, state: day < 10 ? 'done' : 'running' });
    live.stop();
    expect(live.frame().split('\n')).toEqual(['✔ 9 stage(s) done', '… PublishLoad [2018-11-10]  running     0.0s']);
  });

  test('more stages under way than the terminal holds: the latest are shown, the rest counted', () => {
    const { render } = fakeLogUpdate();
    const live = new LiveProgress({ write: () => undefined, rows: 6 }, render, () => 0);
    for (let day = 1; day <= 6; day += 1) live.update({ stage: `StageEvents [2018-11-0${day}]`, state: 'running' });
    live.stop();
    expect(live.frame().split('\n')).toEqual([
      '… 4 more stage(s) under way, not shown',
      '… StageEvents [2018-11-05]  running     0.0s',
      '… StageEvents [2018-11-06]  running     0.0s',
    ]);
  });

  test('with the real log-update on a fake terminal, each frame replaces the last', () => {
    // log-update is ESM only, which this CommonJS test cannot load: run it under tsx, as bin/sparkify does.
    const root = path.resolve(__dirname, '../../..');
    const child = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'live-progress-on-fake-tty.ts')], { encoding: 'utf8', cwd: root, timeout: 60_000 });
    expect(child.stderr).toBe('');
    const chunks = JSON.parse(child.stdout) as string[];
    expect(chunks[0]).toMatch(/^… StageEvents {2}running +\d+\.\ds {2}statement 0123abcd STARTED\n$/);
    // The second frame first erases the first one's line (ESC [2K), then draws the new state.
    expect(chunks[1].startsWith('\u001b[2K')).toBe(true);
    expect(chunks[1]).toMatch(/✔ StageEvents {2}done +\d+\.\ds {2}8,056 rows\n$/);
  }, 60_000);
});
