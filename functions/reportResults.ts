import { z } from 'zod';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { assertChecksPassed, readRunReport, type RunReport } from '../src/pipeline/report';
import { parseInput } from '../src/pipeline/run-input';

/** The finished checkQuality statement whose results make the run output. */
const reportEventSchema = z.object({ statementId: z.string().min(1) });

export const handler = lambdaHandler('reportResults', async (event: unknown): Promise<RunReport> => {
  const { statementId } = parseInput(reportEventSchema, event, 'reportResults input');
  const report = await readRunReport(getRuntime().client, statementId);
  logger.info('Run report', { ...report });
  assertChecksPassed(report);
  return report;
});
