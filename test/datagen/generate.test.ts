import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DATASET_MANIFEST, generateDataset, type GeneratedDataset } from '../../src/datagen';
import { SAMPLE, testWithSample } from '../support/sample';

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const relative = path.posix.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(root, relative) : Promise.resolve([relative]);
    }),
  );
  return nested.flat().sort();
}

type Json = Record<string, unknown>;

async function readObjects(root: string, files: string[]): Promise<{ file: string; text: string; objects: Json[] }[]> {
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(root, file), 'utf8');
      return { file, text, objects: text.split('\n').map((line) => JSON.parse(line) as Json) };
    }),
  );
}

describe('generateDataset', () => {
  let tmp: string;
  let dataset: GeneratedDataset;
  const params = { songs: 120, users: 25, days: 3, eventsPerDay: 400, seed: 'test-seed' };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-datagen-'));
    dataset = await generateDataset({ outDir: path.join(tmp, 'a'), ...params });
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  test('the same seed writes the same bytes; another seed does not', async () => {
    await generateDataset({ outDir: path.join(tmp, 'b'), ...params });
    await generateDataset({ outDir: path.join(tmp, 'c'), ...params, seed: 'other' });
    const filesA = await listFiles(path.join(tmp, 'a'));
    expect(await listFiles(path.join(tmp, 'b'))).toEqual(filesA);
    for (const file of filesA) {
      const [a, b] = await Promise.all([readFile(path.join(tmp, 'a', file)), readFile(path.join(tmp, 'b', file))]);
      expect(a.equals(b)).toBe(true);
    }
    const eventsA = await readFile(path.join(tmp, 'a', 'log_data/2018/11/2018-11-01-events.json'));
    const eventsC = await readFile(path.join(tmp, 'c', 'log_data/2018/11/2018-11-01-events.json'));
    expect(eventsA.equals(eventsC)).toBe(false);
  });

  test('writes the bucket layout', async () => {
    const files = await listFiles(path.join(tmp, 'a'));
    const songFiles = files.filter((f) => f.startsWith('song_data/'));
    const logFiles = files.filter((f) => f.startsWith('log_data/'));
    expect(files.filter((f) => !songFiles.includes(f) && !logFiles.includes(f))).toEqual([DATASET_MANIFEST, 'log_json_path.json']);
    for (const file of songFiles) expect(file).toMatch(/^song_data\/([A-Z0-9])\/([A-Z0-9])\/([A-Z0-9])\/TR\1\2\3[A-Z0-9]{13}\.json$/);
    expect(logFiles).toEqual(['2018-11-01', '2018-11-02', '2018-11-03'].map((d) => `log_data/2018/11/${d}-events.json`));
    expect(songFiles).toHaveLength(dataset.songFiles);
  });

  testWithSample("has the real sample's jsonpaths file, and its objects' keys in the same order", async () => {
    const root = path.join(tmp, 'a');
    const ours = JSON.parse(await readFile(path.join(root, 'log_json_path.json'), 'utf8'));
    const real = JSON.parse(await readFile(path.join(SAMPLE, 'log_json_path.json'), 'utf8'));
    expect(ours).toEqual(real);

    const files = await listFiles(root);
    const songs = (await readObjects(root, files.filter((f) => f.startsWith('song_data/')))).flatMap((f) => f.objects);
    const events = (await readObjects(root, files.filter((f) => f.startsWith('log_data/')))).flatMap((f) => f.objects);
    const [sampleEvent] = (await readObjects(SAMPLE, ['log_data/2018/11/2018-11-01-events.json']))[0].objects;
    const sampleSong = JSON.parse(await readFile(path.join(SAMPLE, 'song_data/A/A/A/TRAAAAW128F429D538.json'), 'utf8'));
    for (const event of events) expect(Object.keys(event)).toEqual(Object.keys(sampleEvent));
    for (const song of songs) expect(Object.keys(song)).toEqual(Object.keys(sampleSong));
  });

  test('counts match the parameters and the manifest matches a recount of the files', async () => {
    const root = path.join(tmp, 'a');
    const files = await listFiles(root);
    const songFiles = await readObjects(root, files.filter((f) => f.startsWith('song_data/')));
    const events = (await readObjects(root, files.filter((f) => f.startsWith('log_data/')))).flatMap((f) => f.objects);
    const songs = songFiles.flatMap((f) => f.objects);

    expect(songs).toHaveLength(params.songs);
    expect(events).toHaveLength(params.days * params.eventsPerDay);
    expect(songFiles.some((f) => f.objects.length > 1)).toBe(true); // several songs in one file

    const catalogue = new Set(songs.map((s) => `${s.title}|${s.artist_name}|${s.duration}`));
    const plays = events.filter((e) => e.page === 'NextSong' && e.userId !== '');
    const userIds = new Set(events.map((e) => e.userId).filter((id) => id !== ''));
    expect(userIds.size).toBe(params.users);
    expect(dataset.expected).toEqual({
      staging_events: events.length,
      staging_songs: songs.length,
      songplays: plays.length,
      songplays_matched: plays.filter((p) => catalogue.has(`${p.song}|${p.artist}|${p.length}`)).length,
      users: userIds.size,
      songs: new Set(songs.map((s) => s.song_id)).size,
      artists: new Set(songs.map((s) => s.artist_id)).size,
      time: new Set(plays.map((p) => p.ts)).size,
    });
    expect(dataset.expected.songplays_matched).toBeGreaterThan(0);
    expect(dataset.expected.songplays_matched).toBeLessThan(plays.length); // most plays are not in the catalogue
    const manifest = JSON.parse(await readFile(path.join(root, DATASET_MANIFEST), 'utf8'));
    expect(manifest).toEqual(dataset);
  });

  test("has the real data's quirks and field types", async () => {
    const root = path.join(tmp, 'a');
    const files = await listFiles(root);
    const songFiles = await readObjects(root, files.filter((f) => f.startsWith('song_data/')));
    const logFiles = await readObjects(root, files.filter((f) => f.startsWith('log_data/')));
    const songs = songFiles.flatMap((f) => f.objects);
    const events = logFiles.flatMap((f) => f.objects);

    expect(events.every((e) => typeof e.userId === 'string')).toBe(true);
    const loggedOut = events.filter((e) => e.userId === '');
    expect(loggedOut.length).toBeGreaterThan(0);
    expect(loggedOut.every((e) => e.auth === 'Logged Out' && e.firstName === null && e.registration === null)).toBe(true);
    const levels = new Map<unknown, Set<unknown>>();
    for (const e of events.filter((e) => e.userId !== '')) levels.set(e.userId, (levels.get(e.userId) ?? new Set()).add(e.level));
    expect([...levels.values()].some((seen) => seen.size === 2)).toBe(true); // a user changed level
    expect(events.some((e) => e.page === 'Home' && e.artist === null && e.length === null)).toBe(true);
    expect(events.some((e) => (e.ts as number) % 1000 !== 0)).toBe(true); // millisecond timestamps

    const rawEvents = logFiles.map((f) => f.text).join('\n');
    expect(rawEvents).toContain('"userAgent":"\\"Mozilla\\/5.0'); // escaped quotes and slashes, as in the bucket
    expect(rawEvents).toMatch(/"registration":\d{13}\.0,/); // registration written as a float
    expect(rawEvents).toMatch(/\\u00[0-9a-f]{2}/); // non-ASCII escaped

    expect(songs.some((s) => s.year === 0)).toBe(true);
    expect(songs.some((s) => s.year !== 0)).toBe(true);
    expect(songs.some((s) => s.artist_latitude === null)).toBe(true);
    expect(songs.some((s) => typeof s.artist_latitude === 'number')).toBe(true);
    expect(songs.some((s) => s.artist_location === '')).toBe(true);
    expect(songFiles.map((f) => f.text).join('')).toMatch(/"duration": \d+\.\d+, "year"/);
  });

  test('refuses a non-empty output folder and bad parameters, naming them', async () => {
    await expect(generateDataset({ outDir: path.join(tmp, 'a') })).rejects.toThrow(`outDir ${path.join(tmp, 'a')} is not empty`);
    await expect(generateDataset({ outDir: path.join(tmp, 'd'), songs: 0 })).rejects.toThrow('songs must be a whole number of at least 1, got 0');
    await expect(generateDataset({ outDir: path.join(tmp, 'd'), startDate: '2018-13-45' })).rejects.toThrow('startDate must be a date');
  });
});
