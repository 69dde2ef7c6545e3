import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { compactSongs, type CompactionResult } from '../src/pipeline/compact-songs';
import { getRuntime, lambdaHandler, logger } from '../src/pipeline/lambda';
import { parseInput, planRun, runPlanSchema } from '../src/pipeline/run-input';

/** From the state machine the run's plan; run by hand the execution input under `run` (tag "manual"). */
const compactEventSchema = z.strictObject({ plan: runPlanSchema.optional(), run: z.unknown().optional() });

/** Created on first use and kept, as the Data API client is; AWS_ENDPOINT_URL_S3 points it elsewhere offline. */
let s3: S3Client | undefined;

/** Folds the run's small song objects into a few large ones and writes the manifest StageSongs COPYs. */
export const handler = lambdaHandler('compactSongs', async (event: unknown): Promise<CompactionResult> => {
  const parsed = parseInput(compactEventSchema, event, 'compactSongs input');
  const { config } = getRuntime();
  const plan = parsed.plan ?? planRun(parsed.run ?? {}, undefined, { compactionConfigured: config.s3.compactedSongs !== undefined }).plan;
  s3 ??= new S3Client({});
  const result = await compactSongs(s3, config, plan.runId);
  logger.info('Songs compacted', { ...result });
  return result;
});
