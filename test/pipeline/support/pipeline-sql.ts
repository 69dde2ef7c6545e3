/** Runs the pipeline's own stage SQL against a test emulator, the way the handlers submit it. */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { loadConfig, type PipelineConfig } from '../../../src/pipeline/config';
import { fillTemplate } from '../../../src/pipeline/copy-sql';
import { loadTables, runTables } from '../../../src/pipeline/load-tables';
import { waitForStatement, type StatementProgress } from '../../../src/pipeline/poll';
import { planRun, type RunInput } from '../../../src/pipeline/run-input';
import { readSql, splitStatements } from '../../../src/pipeline/sql-files';
import { stageSubmission, type Stage, type StageScope } from '../../../src/pipeline/stages';
import { quoteLiteral } from '../../../src/sql/quote';
import { submitStatement } from '../../../src/redshift/data-api';

/** The handlers' environment in these tests: a cluster id and database user (the emulator takes any), the rest defaults. */
export const OFFLINE_ENV = { REDSHIFT_CLUSTER_ID: 'sparkify-test', REDSHIFT_DB_USER: 'awsuser', REDSHIFT_DATABASE: 'dev' };

export const testConfig: PipelineConfig = loadConfig(OFFLINE_ENV);

/**
 * A stage's scope as a stage run by hand makes it (runId "manual"): the plan from the execution input,
 * and its one load (a backfill's first day).
 */
export function manualScope(run: RunInput = {}): Required<StageScope> {
  const { plan, loads } = planRun(run);
  return { plan, load: loads[0] };
}

/** Submits a stage's SQL and waits for it; throws the pipeline's named error when it fails. */
export async function runStage(client: RedshiftDataClient, stage: Stage, scope: StageScope = manualScope()): Promise<StatementProgress> {
  const statementId = await submitStatement(client, testConfig.target, stageSubmission(stage, testConfig, scope));
  return waitForStatement(client, stage, statementId);
}

/** The run's and the load's table names, for SQL that fills the staging tables by hand. */
export function tablesOf(scope: Required<StageScope>) {
  return { ...runTables(scope.plan), ...loadTables(scope.plan, scope.load) };
}

/** The SQL of shipped files with the scope's table names filled in, one statement per entry. */
export function scopedStatements(scope: Required<StageScope>, ...files: string[]): string[] {
  return files.flatMap((file) => splitStatements(fillTemplate(readSql(file), tablesOf(scope))));
}

/** A SQL literal for fixtures: NULL, a number, or a quoted string. */
export function sqlValue(value: string | number | null): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(value) : quoteLiteral(value);
}
