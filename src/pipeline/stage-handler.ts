/**
 * The one handler behind every ETL stage Lambda that submits SQL: validate, submit, and return the
 * statement id at once. From the state machine the event holds the run's plan (and the load); run by
 * hand it holds the execution input under `run` (default {}), and the plan is made from it. With
 * {"wait": true} (a stage run by hand) it waits and returns the outcome; for checkLoad that includes the
 * load's report, or the error that would keep it from being published.
 */
import { z } from 'zod';
import { submitStatement } from '../redshift/data-api';
import { getRuntime, lambdaHandler, logger } from './lambda';
import { submitted, waitForStatement, type StatementProgress } from './poll';
import { assertPublishable, readLoadReport, type LoadReport } from './report';
import { loadSchema, parseInput, planRun, runPlanSchema, type PlanOptions } from './run-input';
import { budgetOf, LOAD_STAGES, stageSubmission, type Stage, type StageScope } from './stages';

export const stageEventSchema = z.strictObject({
  plan: runPlanSchema.optional(),
  load: loadSchema.optional(),
  run: z.unknown().optional(),
  wait: z.boolean().default(false),
});
export type StageEvent = z.input<typeof stageEventSchema>;

/** The stage's plan and load: as the state machine gives them, or made from the execution input. */
export function scopeOf(stage: Stage, event: z.output<typeof stageEventSchema>, options: PlanOptions = {}): StageScope {
  if (event.plan) {
    if (event.run !== undefined) throw new Error(`Give ${stage} either a plan or a run, not both`);
    return { plan: event.plan, load: event.load };
  }
  const { plan, loads } = planRun(event.run ?? {}, undefined, options);
  if (!LOAD_STAGES.has(stage) || event.load) return { plan, load: event.load };
  if (loads.length !== 1) throw new Error(`Stage ${stage} loads one day at a time; add "load": {"day": "YYYY-MM-DD"} to the event`);
  return { plan, load: loads[0] };
}

export function stageHandler(stage: Stage) {
  return lambdaHandler(stage, async (event: StageEvent): Promise<StatementProgress & { report?: LoadReport }> => {
    const parsed = parseInput(stageEventSchema, event, `${stage} input`);
    const { config, client } = getRuntime();
    const scope = scopeOf(stage, parsed, { compactionConfigured: config.s3.compactedSongs !== undefined });
    const submission = stageSubmission(stage, config, scope);
    const statementId = await submitStatement(client, config.target, submission);
    logger.info('Statement submitted', { stage, statementId });
    if (!parsed.wait) return submitted(stage, statementId);
    const outcome = await waitForStatement(client, stage, statementId, budgetOf(stage, config));
    logger.info('Statement finished', { ...outcome });
    if (stage !== 'checkLoad') return outcome;
    // Run by hand, the load's verdict is the outcome (what reviewLoad gives the state machine): the
    // statement finishing only says the checks were counted.
    const report = await readLoadReport(client, scope.load!, statementId, submission.sqls.length);
    assertPublishable(report, scope.plan);
    return { ...outcome, report };
  });
}
