import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadStateMachine } from '../../src/offline/runner/definition';
import { PROJECT_ROOT } from '../../src/offline/runner';

describe('loadStateMachine', () => {
  test('resolves every Task of the real ASL, inside the Map too, through serverless.yml to a handler module', async () => {
    const machine = await loadStateMachine(PROJECT_ROOT);
    const lambdas = [...machine.tasks].filter(([, target]) => target.kind === 'lambda');
    expect(Object.fromEntries(lambdas.map(([state, target]) => [state, target.kind === 'lambda' && target.functionKey]))).toEqual({
      PlanRun: 'planRun', EnsureWarehouse: 'ensureWarehouse',
      CreateTables: 'createTables', PollCreateTables: 'pollStatement',
      CompactSongs: 'compactSongs', StageSongs: 'stageSongs', PollStageSongs: 'pollStatement',
      StageEvents: 'stageEvents', PollStageEvents: 'pollStatement',
      CheckLoad: 'checkLoad', PollCheckLoad: 'pollStatement',
      ReviewLoad: 'reviewLoad',
      PublishLoad: 'publishLoad', PollPublishLoad: 'pollStatement',
      DropFailedLoad: 'cleanUp', CleanUpRun: 'cleanUp', CleanUpFailedRun: 'cleanUp',
      CountRows: 'countRows', PollCountRows: 'pollStatement',
      ReportResults: 'reportResults', PauseWarehouse: 'pauseWarehouse', PauseWarehouseAfterFailure: 'pauseWarehouse',
    });
    for (const [, target] of lambdas) {
      if (target.kind === 'lambda') expect(target).toMatchObject({ modulePath: path.join(PROJECT_ROOT, 'functions', target.functionKey), exportName: 'handler' });
    }
    expect(machine.tasks.get('NotifyFailure')).toEqual({ kind: 'sns-publish' });
    expect(machine.waitStates.sort()).toEqual([
      'WaitCheckLoad', 'WaitCountRows', 'WaitCreateTables', 'WaitForWarehouse', 'WaitPublishLoad', 'WaitStageEvents', 'WaitStageSongs',
    ]);
    // The interpreter validates ARNs: the GetAtt objects are replaced by Lambda ARNs, in the Map's states too.
    const states = machine.definition.States as Record<string, { Resource?: unknown; ItemProcessor?: { States: Record<string, { Resource?: unknown }> } }>;
    expect(states.CreateTables.Resource).toBe('arn:aws:lambda:us-east-1:000000000000:function:createTables');
    expect(states.LoadEachDay.ItemProcessor!.States.PublishLoad.Resource).toBe('arn:aws:lambda:us-east-1:000000000000:function:publishLoad');
    // The runner shortens every Retry: all Lambda Tasks have one.
    expect(machine.retryStates.sort()).toEqual(lambdas.map(([state]) => state).sort());
  });

  describe('on a project it cannot run', () => {
    let root: string;
    beforeEach(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'sparkify-definition-'));
      await mkdir(path.join(root, 'statemachine'));
      await writeFile(path.join(root, 'serverless.yml'), 'functions:\n  hello:\n    handler: functions/hello.handler\n');
    });
    afterEach(() => rm(root, { recursive: true, force: true }));

    const asl = (resource: string) => `StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: ${resource}\n    End: true\n`;

    test('names a Task whose function is not in serverless.yml', async () => {
      await writeFile(path.join(root, 'statemachine/etl.asl.yml'), asl('{ Fn::GetAtt: [goodbye, Arn] }'));
      await expect(loadStateMachine(root)).rejects.toThrow('serverless.yml has no functions.goodbye.handler');
    });

    test('names a Task whose resource it cannot stand in for', async () => {
      await writeFile(path.join(root, 'statemachine/etl.asl.yml'), asl('arn:aws:states:::dynamodb:putItem'));
      await expect(loadStateMachine(root)).rejects.toThrow('Task A has Resource "arn:aws:states:::dynamodb:putItem", which the offline runner cannot run');
    });

    test('says when the state machine file is missing', async () => {
      await expect(loadStateMachine(root)).rejects.toThrow(`Cannot read ${path.join(root, 'statemachine/etl.asl.yml')}`);
    });
  });
});
