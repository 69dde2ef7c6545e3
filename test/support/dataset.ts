/** Small generated datasets, for the tests that need a bucket but not the real sample. */
import { generateDataset, type GeneratedDataset } from '../../src/datagen';

/** Two days of events, a few dozen songs: seconds to load, with matched plays and level changes. */
const TEST_DATASET = { songs: 40, users: 12, days: 2, eventsPerDay: 200, seed: 'tests' } as const;

/** Writes the test dataset to `outDir` (new or empty) laid out like the bucket; returns its manifest. */
export function writeTestDataset(outDir: string): Promise<GeneratedDataset> {
  return generateDataset({ outDir, ...TEST_DATASET });
}
