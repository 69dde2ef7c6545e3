/**
 * Structure of statemachine/etl.asl.yml: the run's order, every statement loop (submit → wait → poll →
 * FINISHED-or-wait) in its own slot, the per-load Map, retries for transient errors only, and failures
 * that drop what they left and notify (a run) or are reported by day while the others go on (a load).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { STAGES } from '../../src/pipeline/stages';

type State = Record<string, any>;
interface StateMachine { StartAt: string; States: Record<string, State> }

const definition: StateMachine = parse(readFileSync(path.join(__dirname, '../../statemachine/etl.asl.yml'), 'utf8'));
const serverlessYml = readFileSync(path.join(__dirname, '../../serverless.yml'), 'utf8');

const TRANSIENT_ERRORS = new Set([
  'TransientDataApiError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
]);

/** Every state with the Map states it sits in (outermost first) and the machine that holds it. */
function allStates(machine: StateMachine, parents: string[] = []): { name: string; state: State; parents: string[]; machine: StateMachine }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    { name, state, parents, machine },
    ...(state.Type === 'Map' ? allStates(state.ItemProcessor as StateMachine, [...parents, name]) : []),
  ]);
}

const states = allStates(definition);
const topLevel = definition.States;
const loadEachDay = topLevel.LoadEachDay as State;
const perLoad = loadEachDay.ItemProcessor as StateMachine;
const lambdaTasks = states.filter((s) => s.state.Type === 'Task' && typeof s.state.Resource === 'object');
const functionOf = (state: State) => state.Resource['Fn::GetAtt'][0] as string;

/**
 * The states a successful run passes through, following Next: FINISHED (or a ready warehouse) out of
 * every Choice that has it, else the Choice's Default (no pause after the load).
 */
function happyPath(machine: StateMachine): string[] {
  const visited: string[] = [];
  for (let name: string | undefined = machine.StartAt; name !== undefined;) {
    visited.push(name);
    const state: State = machine.States[name];
    if (state.Type !== 'Choice') {
      name = state.Next;
      continue;
    }
    const onward = state.Choices.find((rule: State) => rule.StringEquals === 'FINISHED' || (rule.Variable === '$.warehouse.ready' && rule.BooleanEquals === true));
    name = onward ? onward.Next : state.Default;
  }
  return visited;
}

describe('statemachine/etl.asl.yml', () => {
  test('every Lambda Task names one of the fourteen serverless.yml functions with Fn::GetAtt [key, Arn]', () => {
    // Six stages, planRun, ensureWarehouse, compactSongs, reviewLoad, cleanUp (three places), one poll per
    // stage, the report, pauseWarehouse (two places).
    expect(lambdaTasks).toHaveLength(22);
    for (const { name, state } of lambdaTasks) {
      const [functionKey, attribute] = state.Resource['Fn::GetAtt'];
      expect({ name, attribute }).toEqual({ name, attribute: 'Arn' });
      expect(serverlessYml).toContain(`  ${functionKey}:\n    handler: functions/${functionKey}.handler`);
    }
    expect(new Set(lambdaTasks.map((t) => functionOf(t.state)))).toEqual(new Set([
      ...STAGES, 'planRun', 'ensureWarehouse', 'compactSongs', 'reviewLoad', 'cleanUp', 'pollStatement', 'reportResults', 'pauseWarehouse',
    ]));
  });

  test('songs go through CompactSongs before StageSongs only when the plan says so', () => {
    expect(topLevel.CreateTablesFinished.Choices[0].Next).toBe('ShouldCompactSongs');
    expect(topLevel.ShouldCompactSongs).toEqual({
      Type: 'Choice', Comment: expect.any(String),
      Choices: [{ Variable: '$.plan.compactSongs', BooleanEquals: true, Next: 'CompactSongs' }], Default: 'StageSongs',
    });
    expect(topLevel.CompactSongs).toMatchObject({
      Type: 'Task', Parameters: { 'plan.$': '$.plan' }, ResultPath: '$.compacted', Next: 'StageSongs',
      // The same Retry and Catch as every run-level Task (YAML anchors: defined once).
      Retry: topLevel.CreateTables.Retry, Catch: topLevel.CreateTables.Catch,
    });
    expect(functionOf(topLevel.CompactSongs)).toBe('compactSongs');
    const asl = readFileSync(path.join(__dirname, '../../statemachine/etl.asl.yml'), 'utf8');
    expect(asl).toMatch(/CompactSongs:\n(.*\n)*?    Retry: \*transientRetry\n    Catch: \*failRun\n/);
  });

  test('the run plans, makes sure of the warehouse, creates tables, stages songs, loads each day, cleans up, counts and reports, in that order', () => {
    expect(happyPath(definition).filter((name) => topLevel[name].Type === 'Task' || topLevel[name].Type === 'Map')).toEqual([
      'PlanRun', 'EnsureWarehouse', 'CreateTables', 'PollCreateTables', 'StageSongs', 'PollStageSongs', 'LoadEachDay', 'CleanUpRun', 'CountRows',
      'PollCountRows', 'ReportResults',
    ]);
    expect(topLevel.ReportResults).toMatchObject({
      ResultPath: '$.report', Next: 'ShouldPause', Parameters: { 'plan.$': '$.plan', 'loads.$': '$.outcomes', 'countStatementId.$': '$.counts.statementId' },
    });
    // The run's output is its report.
    expect(topLevel.Done).toEqual({ Type: 'Pass', Comment: expect.any(String), OutputPath: '$.report', End: true });
    // PlanRun gets the input and the execution id that names the run's tables; its { plan, loads } is the state.
    expect(topLevel.Start).toMatchObject({ Type: 'Pass', Parameters: { 'input.$': '$', plan: null }, Next: 'PlanRun' });
    expect(topLevel.PlanRun.Parameters).toEqual({ 'input.$': '$.input', 'executionId.$': '$$.Execution.Id' });
    expect(topLevel.PlanRun.ResultPath).toBeUndefined();
  });

  test('each load stages its events, is checked and reviewed, and only then published, in a Map over the plan', () => {
    expect(loadEachDay).toMatchObject({
      Type: 'Map', ItemsPath: '$.loads', MaxConcurrencyPath: '$.plan.concurrency', ResultPath: '$.outcomes',
      ItemSelector: { 'plan.$': '$.plan', 'load.$': '$$.Map.Item.Value' },
    });
    const loadPath = happyPath(perLoad);
    expect(loadPath.filter((name) => perLoad.States[name].Type === 'Task')).toEqual([
      'StageEvents', 'PollStageEvents', 'CheckLoad', 'PollCheckLoad', 'ReviewLoad', 'PublishLoad', 'PollPublishLoad',
    ]);
    expect(perLoad.States[loadPath.at(-1)!]).toMatchObject({ Type: 'Pass', End: true });
    expect(perLoad.States.ReviewLoad.Parameters).toEqual({
      'plan.$': '$.plan', 'load.$': '$.load', 'copiedEvents.$': '$.staged.resultRows', 'checkStatementId.$': '$.checked.statementId',
    });
    // A published load's outcome holds what reportResults reads: the day, the counts and the unusable records.
    expect(perLoad.States.LoadPublished.Parameters).toEqual({
      'day.$': '$.load.day', 'stagedEvents.$': '$.report.accounting.staged_events', 'stagedSongs.$': '$.report.accounting.staged_songs',
      'songplays.$': '$.report.accounting.songplays', 'unusable.$': '$.report.unusable',
    });
  });

  test('every statement loop keeps its statement in its own slot: submit, Wait(SecondsPath), poll, FINISHED or wait again', () => {
    const polls = lambdaTasks.filter((s) => functionOf(s.state) === 'pollStatement');
    expect(polls.map((p) => p.name).sort()).toEqual(
      ['PollCheckLoad', 'PollCountRows', 'PollCreateTables', 'PollPublishLoad', 'PollStageEvents', 'PollStageSongs']);
    const submitters = new Map<string, string>();
    for (const { name, state: poll, machine, parents } of polls) {
      const slot: string = poll.ResultPath;
      expect({ name, statement: poll.Parameters['statement.$'] }).toEqual({ name, statement: slot });
      // pollStatement resubmits after a conflict: it needs the plan, and inside the Map the load.
      expect({ name, plan: poll.Parameters['plan.$'], load: poll.Parameters['load.$'] })
        .toEqual({ name, plan: '$.plan', load: parents.length > 0 ? '$.load' : undefined });

      const choice = machine.States[poll.Next];
      expect({ name, type: choice.Type, rules: choice.Choices.length }).toEqual({ name, type: 'Choice', rules: 1 });
      expect(choice.Choices[0]).toMatchObject({ Variable: `${slot}.status`, StringEquals: 'FINISHED' });
      // Anything else (SUBMITTED, PICKED, STARTED) waits: pollStatement throws on FAILED, ABORTED and unknown statuses.
      const wait = machine.States[choice.Default];
      expect({ name, wait }).toEqual({ name, wait: { Type: 'Wait', SecondsPath: `${slot}.waitSeconds`, Next: name } });

      const [submitter] = Object.entries(machine.States).filter(([, s]) => s.Type === 'Task' && s.Next === choice.Default && s !== poll);
      expect({ name, slot: submitter[1].ResultPath }).toEqual({ name, slot });
      expect(STAGES).toContain(functionOf(submitter[1]));
      submitters.set(functionOf(submitter[1]), slot);
    }
    expect([...submitters.keys()].sort()).toEqual([...STAGES].sort());
    expect(new Set(submitters.values()).size).toBe(STAGES.length);
  });

  test('Retry lists transient errors only, on every Lambda Task', () => {
    for (const { name, state } of lambdaTasks) {
      expect({ name, retries: (state.Retry ?? []).length > 0 }).toEqual({ name, retries: true });
      for (const retry of state.Retry) {
        for (const error of retry.ErrorEquals) expect({ name, error, transient: TRANSIENT_ERRORS.has(error) }).toEqual({ name, error, transient: true });
        expect(retry.MaxAttempts).toBeLessThanOrEqual(10);
      }
    }
    // Nothing else retries (the Map or the SNS task retrying would replay failed work).
    expect(states.filter((s) => s.state.Retry && !lambdaTasks.includes(s)).map((s) => s.name)).toEqual([]);
  });

  test("a failed run drops the run's tables, notifies and fails; a failed load drops its tables and the others go on", () => {
    const catchesTo = (state: State, next: string, resultPath: string | null = '$.error') =>
      (state.Catch ?? []).some((c: State) => c.ErrorEquals.includes('States.ALL') && c.Next === next && c.ResultPath === resultPath);
    for (const { name, state, parents } of states.filter((s) => s.state.Type === 'Task' || s.state.Type === 'Map')) {
      let expected: [string, string | null];
      if (parents.length > 0) expected = name === 'DropFailedLoad' ? ['LoadFailed', null] : ['DropFailedLoad', '$.error'];
      else if (name === 'ReportResults') expected = ['ShouldPauseAfterFailure', '$.error'];
      else if (name === 'CleanUpFailedRun') expected = ['ShouldPauseAfterFailure', null];
      else if (name === 'PauseWarehouse' || name === 'PauseWarehouseAfterFailure') expected = ['NotifyFailure', '$.error'];
      else if (name === 'NotifyFailure') expected = ['Failed', null];
      else expected = ['CleanUpFailedRun', '$.error'];
      expect({ name, caught: catchesTo(state, ...expected) }).toEqual({ name, caught: true });
    }
    expect(topLevel.CleanUpFailedRun).toMatchObject({ Parameters: { 'plan.$': '$.plan' }, ResultPath: null, Next: 'ShouldPauseAfterFailure' });
    expect(functionOf(topLevel.CleanUpFailedRun)).toBe('cleanUp');
    expect(topLevel.NotifyFailure).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: { Ref: 'FailureTopic' }, 'Message.$': 'States.JsonToString($.error)' },
      Next: 'Failed',
    });
    expect(topLevel.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });

    expect(perLoad.States.DropFailedLoad).toMatchObject({ Parameters: { 'plan.$': '$.plan', 'load.$': '$.load' }, ResultPath: null, Next: 'LoadFailed' });
    expect(functionOf(perLoad.States.DropFailedLoad)).toBe('cleanUp');
    expect(perLoad.States.LoadFailed).toEqual(expect.objectContaining({ Type: 'Pass', Parameters: { 'day.$': '$.load.day', 'error.$': '$.error' }, End: true }));
    // No Fail state inside the Map: one day's failure never stops the others.
    expect(Object.values(perLoad.States).filter((s) => s.Type === 'Fail')).toEqual([]);
  });

  test('uses JSONPath only: no JSONata anywhere', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|\{%/);
    expect((definition as State).QueryLanguage).toBeUndefined();
  });

  test('the warehouse is made ready before any SQL, and a cluster the run resumed is paused after it, either way', () => {
    expect(topLevel.PlanRun.Next).toBe('EnsureWarehouse');
    expect(topLevel.EnsureWarehouse).toMatchObject({ Parameters: { 'warehouse.$': '$.warehouse' }, ResultPath: '$.warehouse', Next: 'WarehouseReady' });
    expect(topLevel.WarehouseReady).toEqual({
      Type: 'Choice', Choices: [{ Variable: '$.warehouse.ready', BooleanEquals: true, Next: 'CreateTables' }], Default: 'WaitForWarehouse',
    });
    expect(topLevel.WaitForWarehouse).toEqual({ Type: 'Wait', SecondsPath: '$.warehouse.waitSeconds', Next: 'EnsureWarehouse' });

    expect(topLevel.ShouldPause).toMatchObject({
      Type: 'Choice', Choices: [{ Variable: '$.warehouse.pauseAfterLoad', BooleanEquals: true, Next: 'PauseWarehouse' }], Default: 'Done',
    });
    expect(topLevel.PauseWarehouse).toMatchObject({ Parameters: {}, ResultPath: null, Next: 'Done' });
    // A run that failed before EnsureWarehouse answered has no warehouse to pause.
    expect(topLevel.ShouldPauseAfterFailure).toMatchObject({
      Type: 'Choice',
      Choices: [{
        And: [{ Variable: '$.warehouse.pauseAfterLoad', IsPresent: true }, { Variable: '$.warehouse.pauseAfterLoad', BooleanEquals: true }],
        Next: 'PauseWarehouseAfterFailure',
      }],
      Default: 'NotifyFailure',
    });
    expect(topLevel.PauseWarehouseAfterFailure).toMatchObject({ Parameters: { 'runError.$': '$.error' }, ResultPath: null, Next: 'NotifyFailure' });
    expect(functionOf(topLevel.PauseWarehouseAfterFailure)).toBe('pauseWarehouse');
  });
});
