import { z } from 'zod';
import { fetchResultRows } from '../src/redshift/data-api';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { buildRunReport, type LoadOutcome, type RunReport } from '../src/pipeline/report';
import { parseInput, runPlanSchema } from '../src/pipeline/run-input';

/** The plan, what each load of the Map ended with, and the finished countRows statement. */
const reportEventSchema = z.strictObject({
  plan: runPlanSchema,
  loads: z.array(z.union([
    z.object({ day: z.string().nullable(), error: z.object({ Error: z.string(), Cause: z.string() }) }),
    z.object({
      day: z.string().nullable(), stagedEvents: z.number(), stagedSongs: z.number(), songplays: z.number(), unusable: z.record(z.string(), z.number()),
    }),
  ])),
  countStatementId: z.string().min(1),
});

/** The run output; fails with LoadsFailed naming every load that failed (the others are published). */
export const handler = lambdaHandler('reportResults', async (event: unknown): Promise<RunReport> => {
  const { plan, loads, countStatementId } = parseInput(reportEventSchema, event, 'reportResults input');
  const countRows = await fetchResultRows(getRuntime().client, countStatementId);
  const report = buildRunReport(plan, loads as LoadOutcome[], countRows);
  logger.info('Run report', { ...report, loads: report.loads.length });
  return report;
});
