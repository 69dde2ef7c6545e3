/**
 * What the analysts' report shows, read from the warehouse through the Data API: the answers of
 * sql/analytics/*.sql, the published row counts and the load errors.
 */
import type { LocalWarehouse } from '../offline/runner';
import { readSql, readSqlStatements } from '../pipeline/sql-files';
import type { Value } from '../redshift/data-api';

export type Row = Record<string, Value>;

export interface ReportData {
  rowCounts: Row[];
  /** Plays in all, and those that matched a catalogue song. */
  plays: { total: number; matched: number };
  playsByHour: Row[];
  playsByWeekday: Row[];
  topSongs: Row[];
  topArtists: Row[];
  playsByLevel: Row[];
  playsByDayAndLevel: Row[];
  busiestUsers: Row[];
  busiestLocations: Row[];
  loadErrors: { total: number; latest: Row[] };
}

export async function gatherReportData(warehouse: LocalWarehouse): Promise<ReportData> {
  const rows = async (file: string) => (await warehouse.query(readSql(`analytics/${file}`))).rows;
  const counts = (await warehouse.query(readSql('checks/row_counts.sql'))).rows;
  const count = (table: string) => Number(counts.find((row) => row.table_name === table)?.row_count ?? 0);
  const [total, latest] = await warehouse.queryEach(readSqlStatements('analytics/recent_load_errors.sql'));
  return {
    rowCounts: counts.filter((row) => row.table_name !== 'songplays_matched'),
    plays: { total: count('songplays'), matched: count('songplays_matched') },
    playsByHour: await rows('plays_by_hour.sql'),
    playsByWeekday: await rows('plays_by_weekday.sql'),
    topSongs: await rows('top_songs.sql'),
    topArtists: await rows('top_artists.sql'),
    playsByLevel: await rows('plays_by_level.sql'),
    playsByDayAndLevel: await rows('plays_by_day_and_level.sql'),
    busiestUsers: await rows('busiest_users.sql'),
    busiestLocations: await rows('busiest_locations.sql'),
    loadErrors: { total: Number(total.rows[0]?.load_errors ?? 0), latest: latest.rows },
  };
}
