import { z } from 'zod';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { assertPublishable, readLoadReport, type LoadReport } from '../src/pipeline/report';
import { loadSchema, parseInput, runPlanSchema } from '../src/pipeline/run-input';
import { stageSubmission } from '../src/pipeline/stages';

/** A load whose checkLoad statement finished, and the rows its stageEvents COPY reported. */
const reviewEventSchema = z.strictObject({
  plan: runPlanSchema,
  load: loadSchema,
  copiedEvents: z.number().int().nonnegative(),
  checkStatementId: z.string().min(1),
});

/** The load's verdict before it is published: its report, or QualityCheckFailed / UnusableRecords. */
export const handler = lambdaHandler('reviewLoad', async (event: unknown): Promise<LoadReport> => {
  const { plan, load, copiedEvents, checkStatementId } = parseInput(reviewEventSchema, event, 'reviewLoad input');
  const { config, client } = getRuntime();
  const statementCount = stageSubmission('checkLoad', config, { plan, load }).sqls.length;
  const report = await readLoadReport(client, load, checkStatementId, statementCount, copiedEvents);
  logger.info('Load reviewed', { ...report });
  assertPublishable(report, plan);
  return report;
});
