/** Structure of statemachine/etl.asl.yml: every poll loop decides every status, retries are transient only, failures notify. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { RUNNING_STATUSES } from '../../src/pipeline/poll';

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

/** Every state with the chain of Parallel states it sits in (outermost first). */
function allStates(machine: StateMachine, parents: string[] = []): { name: string; state: State; parents: string[]; machine: StateMachine }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    { name, state, parents, machine },
    ...(state.Type === 'Parallel' ? (state.Branches as StateMachine[]).flatMap((branch) => allStates(branch, [...parents, name])) : []),
  ]);
}

const states = allStates(definition);
const topLevel = definition.States;
const lambdaTasks = states.filter((s) => s.state.Type === 'Task' && typeof s.state.Resource === 'object');

/** The states a Choice can lead to, after following Pass states. */
function followPasses(machine: StateMachine, name: string): string {
  let current = name;
  while (machine.States[current]?.Type === 'Pass') current = machine.States[current].Next;
  return current;
}

describe('statemachine/etl.asl.yml', () => {
  test('every Lambda Task names a serverless.yml function key with Fn::GetAtt [key, Arn]', () => {
    // Five stages, five polls, one report.
    expect(lambdaTasks).toHaveLength(11);
    for (const { name, state } of lambdaTasks) {
      const [functionKey, attribute] = state.Resource['Fn::GetAtt'];
      expect({ name, attribute }).toEqual({ name, attribute: 'Arn' });
      expect(serverlessYml).toContain(`  ${functionKey}:\n    handler: functions/${functionKey}.handler`);
    }
  });

  test('every poll is followed by a Choice deciding FINISHED, running, FAILED, ABORTED and anything else', () => {
    const polls = lambdaTasks.filter((s) => s.state.Resource['Fn::GetAtt'][0] === 'pollStatement');
    expect(polls.map((p) => p.name).sort()).toEqual(
      ['PollCheckQuality', 'PollCreateTables', 'PollLoadStar', 'PollStageEvents', 'PollStageSongs']);
    for (const { name, state: poll, machine } of polls) {
      const choice = machine.States[poll.Next];
      expect({ name, type: choice.Type }).toEqual({ name, type: 'Choice' });
      const target = (status: string) => choice.Choices.find(
        (rule: State) => rule.Variable === '$.statement.status' && rule.StringEquals === status)?.Next;

      // Still running → back to the Wait that leads into this very poll.
      const waitState = machine.States[target('SUBMITTED')];
      expect(waitState).toMatchObject({ Type: 'Wait', SecondsPath: '$.statement.waitSeconds', Next: name });
      for (const status of RUNNING_STATUSES) expect(target(status)).toBe(target('SUBMITTED'));

      // FINISHED goes on; FAILED, ABORTED and unknown statuses all end in a failure, never a loop.
      const finished = target('FINISHED');
      expect(finished).toBeDefined();
      for (const outcome of [target('FAILED'), target('ABORTED'), choice.Default]) {
        expect(outcome).toBeDefined();
        const end = machine.States[followPasses(machine, outcome)];
        const endsInFailure = end.Type === 'Fail' || followPasses(machine, outcome) === 'NotifyFailure';
        expect({ name, outcome, endsInFailure }).toEqual({ name, outcome, endsInFailure: true });
      }
      expect([target('FAILED'), target('ABORTED'), choice.Default]).not.toContain(finished);
    }
  });

  test('Retry lists transient errors only, on every Lambda Task', () => {
    for (const { name, state } of lambdaTasks) {
      expect({ name, retries: (state.Retry ?? []).length > 0 }).toEqual({ name, retries: true });
      for (const retry of state.Retry) {
        for (const error of retry.ErrorEquals) expect({ name, error, transient: TRANSIENT_ERRORS.has(error) }).toEqual({ name, error, transient: true });
        expect(retry.MaxAttempts).toBeLessThanOrEqual(10);
      }
    }
    // Nothing else retries (a Parallel or the SNS task retrying would replay failed work).
    expect(states.filter((s) => s.state.Retry && !lambdaTasks.includes(s)).map((s) => s.name)).toEqual([]);
  });

  test('every Task is covered by a Catch into NotifyFailure, which publishes to SNS and then fails', () => {
    const catchesToNotify = (state: State) =>
      (state.Catch ?? []).some((c: State) => c.ErrorEquals.includes('States.ALL') && c.Next === 'NotifyFailure' && c.ResultPath === '$.error');
    for (const { name, state, parents } of states.filter((s) => s.state.Type === 'Task' && s.name !== 'NotifyFailure')) {
      // A Task inside a Parallel branch is covered by the Parallel's Catch.
      const coveredBy = parents.length > 0 ? topLevel[parents[0]] : state;
      expect({ name, covered: catchesToNotify(coveredBy) }).toEqual({ name, covered: true });
    }
    expect(topLevel.NotifyFailure).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: { Ref: 'FailureTopic' } },
      Next: 'Failed',
    });
    expect(topLevel.NotifyFailure.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Failed' });
    expect(topLevel.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test('staging events and staging songs run in one Parallel, and the run ends with the report', () => {
    const parallel = topLevel.StageData;
    expect(parallel.Type).toBe('Parallel');
    expect(parallel.Branches.map((b: StateMachine) => b.States[b.StartAt].Resource['Fn::GetAtt'][0])).toEqual(['stageEvents', 'stageSongs']);
    const report = topLevel.ReportResults;
    expect(report).toMatchObject({ End: true, Parameters: { 'statementId.$': '$.statement.statementId' } });
    expect(report.Resource['Fn::GetAtt'][0]).toBe('reportResults');
  });

  test('uses JSONPath only: no JSONata anywhere', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|\{%/);
    expect((definition as State).QueryLanguage).toBeUndefined();
  });
});
