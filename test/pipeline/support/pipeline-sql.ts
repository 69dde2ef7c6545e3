/** Runs the pipeline's own stage SQL against a test emulator, the way the handlers submit it. */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { loadConfig, type PipelineConfig } from '../../../src/pipeline/config';
import { quoteLiteral } from '../../../src/sql/quote';
import { waitForStatement, type StatementProgress } from '../../../src/pipeline/poll';
import type { RunInput } from '../../../src/pipeline/run-input';
import { stageSubmission, type Stage } from '../../../src/pipeline/stages';
import { submitStatement } from '../../../src/redshift/data-api';

/** The handlers' environment in these tests: a cluster id and database user (the emulator takes any), the rest defaults. */
export const OFFLINE_ENV = { REDSHIFT_CLUSTER_ID: 'sparkify-test', REDSHIFT_DB_USER: 'awsuser', REDSHIFT_DATABASE: 'dev' };

export const testConfig: PipelineConfig = loadConfig(OFFLINE_ENV);

/** Submits a stage's SQL and waits for it; throws the pipeline's named error when it fails. */
export async function runStage(client: RedshiftDataClient, stage: Stage, run: RunInput = {}): Promise<StatementProgress> {
  const statementId = await submitStatement(client, testConfig.target, stageSubmission(stage, testConfig, run));
  return waitForStatement(client, stage, statementId);
}

/** A SQL literal for fixtures: NULL, a number, or a quoted string. */
export function sqlValue(value: string | number | null): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(value) : quoteLiteral(value);
}
