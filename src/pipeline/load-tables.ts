/**
 * The tables one execution works in beside the published star schema. Their names carry the run (and
 * the day), so overlapping executions and the days of a backfill never share one; they go into SQL text
 * (table names cannot be Data API parameters), so each is checked against a plain-identifier pattern.
 */
import type { Load, RunPlan } from './run-input';

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}$/;

function checked<T extends Record<string, string>>(names: T): T {
  for (const name of Object.values(names)) {
    if (!PLAIN_IDENTIFIER.test(name)) throw new Error(`Refusing table name ${JSON.stringify(name)}: not a plain identifier`);
  }
  return names;
}

/** The run's staged songs and the catalogue built from them, shared by all of its loads. */
export function runTables(plan: RunPlan) {
  return checked({
    staging_songs: `staging_songs_${plan.runId}`,
    load_songs: `load_songs_${plan.runId}`,
    load_artists: `load_artists_${plan.runId}`,
  });
}

/** One load's staged events and its new star rows. */
export function loadTables(plan: RunPlan, load: Load) {
  const tag = `${plan.runId}_${load.day ? load.day.replaceAll('-', '') : 'all'}`;
  return checked({
    staging_events: `staging_events_${tag}`,
    load_songplays: `load_songplays_${tag}`,
    load_users: `load_users_${tag}`,
    load_time: `load_time_${tag}`,
  });
}
