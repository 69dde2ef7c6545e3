/** The real sample data (/work/shared/data/sparkify-sample) and the counts its README gives for a correct load. */
import path from 'node:path';

export const SAMPLE = path.resolve(__dirname, '../../../shared/data/sparkify-sample');

/** The counts in the sample's README, keyed and ordered like `sparkify run --json`. */
export const SAMPLE_COUNTS = {
  staging_events: 8056,
  staging_songs: 71,
  songplays: 6820,
  users: 97,
  songs: 71,
  artists: 69,
  time: 6813,
  songplays_matched: 1,
};
