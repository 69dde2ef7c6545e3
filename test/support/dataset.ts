/** Small generated datasets, for the tests that need a bucket but not the real sample. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateDataset, type GeneratedDataset } from '../../src/datagen';

/** Two days of events, a few dozen songs: seconds to load, with matched plays and level changes. */
const TEST_DATASET = { songs: 40, users: 12, days: 2, eventsPerDay: 200, seed: 'tests' } as const;

/** Writes the test dataset to `outDir` (new or empty) laid out like the bucket; returns its manifest. */
export function writeTestDataset(outDir: string): Promise<GeneratedDataset> {
  return generateDataset({ outDir, ...TEST_DATASET });
}

/**
 * The test dataset's songs and one day of events with no NextSong: everything COPYs and users fill, but
 * songplays and time stay empty, so the quality checks fail.
 */
export async function writeDatasetWithoutPlays(outDir: string): Promise<GeneratedDataset> {
  const dataset = await writeTestDataset(outDir);
  await rm(path.join(outDir, 'log_data'), { recursive: true });
  await mkdir(path.join(outDir, 'log_data/2018/11'), { recursive: true });
  await writeFile(path.join(outDir, 'log_data/2018/11/2018-11-30-events.json'), JSON.stringify({
    artist: null, auth: 'Logged In', firstName: 'Ann', gender: 'F', itemInSession: 0, lastName: 'Lee', length: null,
    level: 'free', location: 'Town', method: 'GET', page: 'Home', registration: 1540919166796.0, sessionId: 1, song: null,
    status: 200, ts: 1543607664796, userAgent: 'x', userId: '5',
  }));
  return dataset;
}
