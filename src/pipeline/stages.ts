/** Which SQL each ETL stage submits. Pure: configuration, plan and load in, statements out. */
import { createHash } from 'node:crypto';
import type { PipelineConfig } from './config';
import { compactionLocation } from './compaction';
import { copyValues, eventSource, fillTemplate } from './copy-sql';
import { loadTables, runTables } from './load-tables';
import { loadParameters, type Load, type RunPlan } from './run-input';
import { readSql, readSqlStatements, splitStatements } from './sql-files';
import type { Submission } from '../redshift/data-api';
import type { Budget } from './poll';

/** The stages that submit SQL, in run order. A load stage works on one load; the others on the run. */
export const STAGES = ['createTables', 'stageSongs', 'stageEvents', 'checkLoad', 'publishLoad', 'countRows'] as const;
export type Stage = (typeof STAGES)[number];
export const LOAD_STAGES: ReadonlySet<Stage> = new Set(['stageEvents', 'checkLoad', 'publishLoad']);

export const SCHEMA_FILES = ['schema/songplays.sql', 'schema/users.sql', 'schema/songs.sql', 'schema/artists.sql', 'schema/time.sql'] as const;

/** checkLoad's batch: the load's new star rows, then its checks and its accounting (the last two results). */
export const CHECK_LOAD_FILES = ['load/star.sql', 'checks/load_checks.sql', 'checks/load_accounting.sql'] as const;

const statementsOf = (files: readonly string[], values: Readonly<Record<string, string>> = {}) =>
  files.flatMap((file) => splitStatements(fillTemplate(readSql(file), values)));

/** How long a stage's statement may run: the COPY stages have their own, longer budget. */
export function budgetOf(stage: Stage, config: PipelineConfig): Budget {
  return stage === 'stageEvents' || stage === 'stageSongs'
    ? { seconds: config.budgets.copySeconds, setting: 'COPY_TIMEOUT_SECONDS' }
    : { seconds: config.budgets.statementSeconds, setting: 'STATEMENT_TIMEOUT_SECONDS' };
}

/** What a stage runs on: the run's plan, and for a load stage its load. */
export interface StageScope {
  plan: RunPlan;
  load?: Load;
}

function loadOf(stage: Stage, scope: StageScope): Load {
  if (!scope.load) throw new Error(`Stage ${stage} works on one load; none was given`);
  return scope.load;
}

/**
 * The ClientToken of one submission of a step of an execution: the same on every retry of that step (a
 * Lambda retried after the Data API answered 500 gets its first statement back instead of running the
 * SQL twice), different for each load, each resubmission after a conflict, and each execution. A stage
 * run by hand (runId "manual") has none, so each invocation runs.
 */
export function clientTokenOf(step: string, scope: StageScope, attempt: number): string | undefined {
  if (scope.plan.runId === 'manual') return undefined;
  // The run's own step (no load) and its whole-log load (day null) must not share a token.
  const part = scope.load ? (scope.load.day ?? 'all') : 'run';
  return createHash('sha256').update(`${scope.plan.runId}/${step}/${part}/${attempt}`).digest('hex');
}

export function stageSubmission(stage: Stage, config: PipelineConfig, scope: StageScope, attempt = 1): Submission {
  return { ...stageSql(stage, config, scope), clientToken: clientTokenOf(stage, scope, attempt) };
}

function stageSql(stage: Stage, config: PipelineConfig, scope: StageScope): Submission {
  const { plan } = scope;
  const name = `sparkify-${stage}`;
  const tables = () => ({ ...runTables(plan), ...loadTables(plan, loadOf(stage, scope)) });
  switch (stage) {
    case 'createTables':
      return { name, sqls: SCHEMA_FILES.flatMap((file) => readSqlStatements(file)) };
    case 'stageSongs': {
      // Without songs the run's catalogue is empty, so its loads match against the published one. With
      // compaction, COPY reads the run's manifest (compactSongs wrote it) instead of the song prefix.
      const source = plan.compactSongs ? compactionLocation(config, plan.runId).manifest : config.s3.songData;
      const values = { ...runTables(plan), ...copyValues(source, config.maxErrors.songs, config), manifest: plan.compactSongs ? '\nMANIFEST' : '' };
      const files = plan.songs ? ['staging/staging_songs.sql', 'staging/copy_songs.sql', 'load/catalogue.sql'] : ['staging/staging_songs.sql', 'load/catalogue.sql'];
      return { name, sqls: statementsOf(files, values) };
    }
    case 'stageEvents': {
      const values = { ...tables(), ...copyValues(eventSource(config, loadOf(stage, scope)), config.maxErrors.events, config) };
      return { name, sqls: statementsOf(['staging/staging_events.sql', 'staging/copy_events.sql'], values) };
    }
    case 'checkLoad':
      return { name, sqls: statementsOf(CHECK_LOAD_FILES, tables()), parameters: { ...loadParameters(plan, loadOf(stage, scope)) } };
    case 'publishLoad':
      // One BatchExecuteStatement, one transaction: analysts see the star schema before or after the
      // load, never half of it.
      return { name, sqls: statementsOf(['publish/star.sql'], tables()), parameters: { ...loadParameters(plan, loadOf(stage, scope)) } };
    case 'countRows':
      return { name, sqls: readSqlStatements('checks/row_counts.sql') };
  }
}

/** Drops a load's tables, or (no load) the run's own: what a failed or finished execution leaves. */
export function cleanUpSubmission(scope: StageScope): Submission {
  const names = Object.values(scope.load ? loadTables(scope.plan, scope.load) : runTables(scope.plan));
  return { name: 'sparkify-cleanUp', sqls: [`DROP TABLE IF EXISTS ${names.join(', ')}`], clientToken: clientTokenOf('cleanUp', scope, 1) };
}
