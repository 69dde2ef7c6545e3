/** The CLI's local state, under .sparkify/ in the working directory: the generated dataset and the warehouse. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DATASET_MANIFEST, generateDataset } from '../datagen';

export const workspace = {
  root: path.resolve('.sparkify'),
  get dataset() {
    return path.join(this.root, 'data');
  },
  get warehouse() {
    return path.join(this.root, 'warehouse');
  },
  /** The bucket sparkify-staging, where song compaction writes (s3://sparkify-staging/compacted_songs). */
  get staging() {
    return path.join(this.root, 's3', 'sparkify-staging');
  },
};

/** The generated dataset `sparkify run` uses without --data; written with the default sizes on first use. */
export async function ensureDefaultDataset(log: (line: string) => void): Promise<string> {
  const dir = workspace.dataset;
  if (existsSync(path.join(dir, DATASET_MANIFEST))) return dir;
  if (existsSync(dir)) throw new Error(`${dir} exists but was not written by the generator (no ${DATASET_MANIFEST}); remove it or pass --data`);
  log(`Generating the default dataset in ${dir} (sparkify generate --help for sizes)`);
  const dataset = await generateDataset({ outDir: dir });
  log(`Generated ${dataset.expected.staging_songs} songs and ${dataset.expected.staging_events} events over ${dataset.parameters.days} days`);
  return dir;
}
