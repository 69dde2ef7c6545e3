import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { SeededRandom } from './random';
import { makeCatalogue, makeOutsideTracks, type Song } from './catalogue';
import { DAY_MS, EventSimulator, makeUsers } from './events';
import { asciiJson, floatJson, songObject } from './json';

export interface GenerateOptions {
  /** Folder to create; it stands for the bucket root. It must not exist yet, or be empty. */
  outDir: string;
  songs?: number;
  users?: number;
  days?: number;
  eventsPerDay?: number;
  seed?: string;
  /** First day of the log, YYYY-MM-DD (UTC). */
  startDate?: string;
}

/** The row counts a correct load of the generated folder produces, keyed like `sparkify run --json`. */
export interface ExpectedCounts {
  staging_events: number;
  staging_songs: number;
  songplays: number;
  songplays_matched: number;
  users: number;
  songs: number;
  artists: number;
  time: number;
}

export interface GeneratedDataset {
  parameters: Required<Omit<GenerateOptions, 'outDir'>>;
  songFiles: number;
  logFiles: number;
  loggedOutEvents: number;
  expected: ExpectedCounts;
}

/** Written at the bucket root, beside (not under) the prefixes that COPY reads. */
export const DATASET_MANIFEST = 'generated.json';

export const DEFAULT_GENERATE_PARAMETERS: GeneratedDataset['parameters'] = {
  songs: 400,
  users: 60,
  days: 30,
  eventsPerDay: 300,
  seed: 'sparkify',
  startDate: '2018-11-01',
};

/** Jsonpaths in staging_events' column order, as in the bucket's log_json_path.json. */
export const EVENT_FIELDS = [
  'artist', 'auth', 'firstName', 'gender', 'itemInSession', 'lastName', 'length', 'level', 'location',
  'method', 'page', 'registration', 'sessionId', 'song', 'status', 'ts', 'userAgent', 'userId',
];

/** The share of song files that hold more than one song object, as some in the full bucket do. */
const MULTI_SONG_FILE_SHARE = 0.1;

/** A size, date or output folder the generator cannot use; `option` names it, so a CLI can name its flag. */
export class DatasetParameterError extends Error {
  override name = 'DatasetParameterError';

  constructor(
    readonly option: keyof GenerateOptions,
    /** What is wrong, without the option's name. */
    readonly problem: string,
  ) {
    super(`${option} ${problem}`);
  }
}

function validateParameters(parameters: GeneratedDataset['parameters']): void {
  for (const name of ['songs', 'users', 'days', 'eventsPerDay'] as const) {
    const value = parameters[name];
    if (!Number.isInteger(value) || value < 1) throw new DatasetParameterError(name, `must be a whole number of at least 1, got ${value}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parameters.startDate) || Number.isNaN(Date.parse(`${parameters.startDate}T00:00:00Z`))) {
    throw new DatasetParameterError('startDate', `must be a date as YYYY-MM-DD, got ${parameters.startDate}`);
  }
}

/**
 * Writes a bucket-shaped dataset: song_data/A/B/C/TR….json, log_data/YYYY/MM/YYYY-MM-DD-events.json
 * and log_json_path.json. Same parameters and seed → same bytes. Events stream to disk day by day.
 * It writes into a temporary sibling folder and renames it at the end, so an interrupted run leaves
 * no half dataset behind.
 */
export async function generateDataset(options: GenerateOptions): Promise<GeneratedDataset> {
  const parameters = { ...DEFAULT_GENERATE_PARAMETERS, ...definedOnly(options) };
  validateParameters(parameters);
  const outDir = path.resolve(options.outDir);
  await assertEmptyOrMissing(outDir);
  const workDir = `${outDir}.partial-${process.pid}`;
  await rm(workDir, { recursive: true, force: true });
  try {
    const random = new SeededRandom(parameters.seed);
    const periodStart = Date.parse(`${parameters.startDate}T00:00:00Z`);
    const { songs, artistCount } = makeCatalogue(random, parameters.songs);
    const songFiles = await writeSongFiles(workDir, songs, random);
    const simulator = new EventSimulator(
      random,
      makeUsers(random, parameters.users, periodStart),
      songs,
      makeOutsideTracks(random, Math.max(200, parameters.songs), songs),
    );
    for (let day = 0; day < parameters.days; day++) {
      const dayStart = periodStart + day * DAY_MS;
      await writeLines(path.join(workDir, logFileKey(dayStart)), simulator.day(dayStart, parameters.eventsPerDay));
    }
    await writeFile(path.join(workDir, 'log_json_path.json'), jsonpathsFile());
    const tally = simulator.tally;
    const dataset: GeneratedDataset = {
      parameters,
      songFiles,
      logFiles: parameters.days,
      loggedOutEvents: tally.loggedOutEvents,
      expected: {
        staging_events: tally.events,
        staging_songs: songs.length,
        songplays: tally.songplays,
        songplays_matched: tally.songplaysMatched,
        users: tally.usersSeen.size,
        songs: songs.length,
        artists: artistCount,
        time: tally.songplayTimes,
      },
    };
    await writeFile(path.join(workDir, DATASET_MANIFEST), `${JSON.stringify(dataset, null, 2)}\n`);
    await rm(outDir, { recursive: true, force: true }); // only ever an empty folder here
    await rename(workDir, outDir);
    return dataset;
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

function definedOnly(options: GenerateOptions): Partial<GeneratedDataset['parameters']> {
  const { outDir: _outDir, ...rest } = options;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
}

async function assertEmptyOrMissing(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) throw new DatasetParameterError('outDir', `${dir} is not empty; choose a new folder`);
}

function logFileKey(dayStart: number): string {
  const date = new Date(dayStart).toISOString().slice(0, 10);
  return path.join('log_data', date.slice(0, 4), date.slice(5, 7), `${date}-events.json`);
}

function jsonpathsFile(): string {
  const paths = EVENT_FIELDS.map((field) => `        "$['${field}']"`).join(',\n');
  return `{\n    "jsonpaths": [\n${paths}\n    ]\n}`;
}

function songJson(song: Song): string {
  const artist = song.artist;
  return songObject([
    ['num_songs', '1'],
    ['artist_id', asciiJson(artist.id)],
    ['artist_latitude', floatJson(artist.latitude)],
    ['artist_longitude', floatJson(artist.longitude)],
    ['artist_location', asciiJson(song.artistLocation)],
    ['artist_name', asciiJson(artist.name)],
    ['song_id', asciiJson(song.id)],
    ['title', asciiJson(song.title)],
    ['duration', floatJson(song.duration)],
    ['year', String(song.year)],
  ]);
}

/** One file per track under song_data/A/B/C/, named for its first song; a few files hold several songs. */
async function writeSongFiles(root: string, songs: readonly Song[], random: SeededRandom): Promise<number> {
  let files = 0;
  for (let i = 0; i < songs.length; ) {
    const count = random.chance(MULTI_SONG_FILE_SHARE) ? random.int(2, 3) : 1;
    const group = songs.slice(i, i + count);
    i += group.length;
    const trackId = group[0].trackId;
    const dir = path.join(root, 'song_data', trackId[2], trackId[3], trackId[4]);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${trackId}.json`), group.map(songJson).join('\n'));
    files++;
  }
  return files;
}

/** Writes lines with backpressure, so only a stream buffer's worth is ever in memory. No final newline, like the bucket. */
async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file);
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  let first = true;
  for (const line of lines) {
    const ok = stream.write(first ? line : `\n${line}`);
    first = false;
    if (!ok) await Promise.race([once(stream, 'drain'), failed]);
  }
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
}
