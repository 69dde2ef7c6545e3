/**
 * `sparkify report` as a user runs it, on a warehouse loaded offline from the generated test dataset (with
 * one rejected record from a failed reload), then the HTML opened in real headless Chromium (Debian's
 * package, driven by playwright-core) with every network request blocked and recorded. Where Chromium is
 * not installed, the browser test is skipped, saying so.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startOfflineRunner, type RunCounts } from '../../src/offline/runner';
import type { Value } from '../../src/redshift/data-api';
import { sparkify } from '../support/cli';
import { writeTestDataset } from '../support/dataset';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_MISSING = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
// Chromium's own background traffic (updates, sync, safe browsing) would fail on a closed network, and is not the page's.
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Rows = Record<string, Value>[];

describe('sparkify report', () => {
  let tmp: string;
  let reportFile: string;
  let html: string;
  let counts: RunCounts;
  const expected: Record<string, Rows> = {};

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-report-'));
    const bucket = path.join(tmp, 'bucket');
    const warehouseDir = path.join(tmp, 'warehouse');
    await writeTestDataset(bucket);
    const runner = await startOfflineRunner({ bucketDir: bucket, warehouseDir });
    try {
      const full = await runner.run({});
      if (!full.succeeded) throw new Error(`the full load failed in ${full.failure.state}: ${full.failure.cause}`);
      counts = full.counts;
      // A record with a user id that is not a number: reloading its day fails at COPY, publishes nothing, and
      // leaves the rejection in sys_load_error_detail for the report's load errors.
      await appendFile(path.join(bucket, 'log_data/2018/11/2018-11-02-events.json'), '\n{"page":"NextSong","ts":1543190400000,"userId":"abc"}');
      const reload = await runner.run({ mode: 'incremental', date: '2018-11-02' });
      expect(reload.succeeded).toBe(false);

      // What the charts must show, asked of the warehouse independently of sql/analytics.
      const query = async (sql: string) => (await runner.warehouse.query(sql)).rows;
      expected.hours = await query('SELECT EXTRACT(hour FROM start_time) AS hour, COUNT(*) AS plays FROM songplays GROUP BY 1 ORDER BY 1');
      expected.days = await query('SELECT COUNT(DISTINCT CAST(start_time AS DATE)) AS days, COUNT(DISTINCT CAST(start_time AS DATE) || level) AS bars FROM songplays');
      expected.levels = await query('SELECT level, COUNT(*) AS plays FROM songplays GROUP BY level ORDER BY level');
      expected.songs = await query(
        `SELECT s.title, a.name AS artist, COUNT(*) AS plays FROM songplays p JOIN songs s ON s.song_id = p.song_id
         LEFT JOIN artists a ON a.artist_id = p.artist_id GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      );
      expected.artists = await query('SELECT a.name, COUNT(*) AS plays FROM songplays p JOIN artists a ON a.artist_id = p.artist_id GROUP BY 1 ORDER BY 2 DESC, 1');
      expected.users = await query('SELECT user_id, COUNT(*) AS plays FROM songplays GROUP BY 1 ORDER BY 2 DESC, 1');
      expected.locations = await query('SELECT location, COUNT(*) AS plays FROM songplays WHERE location IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1');
    } finally {
      await runner.stop();
    }
    reportFile = path.join(tmp, 'report.html');
    const result = await sparkify(tmp, ['report', '--data-dir', warehouseDir, '--out', reportFile]);
    if (result.code !== 0) throw new Error(`sparkify report exited ${result.code}: ${result.stderr}`);
    expect(result.stdout).toContain(`Wrote ${reportFile}`);
    html = await readFile(reportFile, 'utf8');
  }, 240_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('is one HTML file that names nothing outside itself to load', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=|href="(?!#)/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });

  test('--endpoint with --data-dir is bad usage (exit 2)', async () => {
    const result = await sparkify(tmp, ['report', '--endpoint', 'http://127.0.0.1:5439', '--data-dir', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--endpoint uses a running emulator');
  });

  (CHROMIUM_MISSING ? describe.skip : describe)(`in headless Chromium${CHROMIUM_MISSING ? ` (skipped: ${CHROMIUM_MISSING})` : ''}`, () => {
    let browser: Browser;
    let page: Page;
    const requests: string[] = [];
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const reportUrl = pathToFileURL(reportFile).href;
      context.on('request', (request) => {
        if (request.url() !== reportUrl) requests.push(request.url());
      });
      await context.route('**/*', (route) => (route.request().url() === reportUrl ? route.continue() : route.abort()));
      page = await context.newPage();
      page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
      await page.goto(reportUrl, { waitUntil: 'load' });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    /** Each bar's aria-label (`hour: 7; plays: 42`) as an object. */
    const bars = (chart: string): Promise<Record<string, string>[]> =>
      page.$$eval(`figure[data-chart="${chart}"] svg [aria-roledescription="bar"]`, (elements) =>
        elements.map((element) => {
          const box = element.getBoundingClientRect();
          if (box.width <= 0 || box.height <= 0) throw new Error(`a bar drawn with no area: ${element.getAttribute('aria-label')}`);
          return Object.fromEntries(element.getAttribute('aria-label')!.split('; ').map((pair: string) => pair.split(/: (.*)/s).slice(0, 2)));
        }),
      );

    test('fetches nothing and logs no error', () => {
      expect(requests).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });

    test('draws every chart as SVG, a bar per row of its query', async () => {
      const figures = await page.$$eval('figure[data-chart]', (elements) =>
        elements.map((element) => ({ chart: element.getAttribute('data-chart'), rows: Number(element.getAttribute('data-rows')), svgs: element.querySelectorAll('svg').length })));
      expect(figures.map((figure) => figure.chart)).toEqual(['plays-by-hour', 'plays-by-weekday', 'top-songs', 'top-artists', 'free-vs-paid', 'busiest-users', 'busiest-locations']);
      for (const { chart, rows, svgs } of figures) {
        expect({ chart, svgs, rows: rows > 0 }).toEqual({ chart, svgs: 1, rows: true });
        expect({ chart, bars: (await bars(chart!)).length }).toEqual({ chart, bars: rows });
      }
    });

    test('plays by hour are the warehouse\'s', async () => {
      const drawn = (await bars('plays-by-hour')).map((bar) => ({ hour: Number(bar['hour (UTC)']), plays: Number(bar.plays) }));
      expect(drawn).toEqual(expected.hours);
    });

    test('plays by weekday add up to every play', async () => {
      const drawn = await bars('plays-by-weekday');
      expect(drawn.reduce((sum, bar) => sum + Number(bar.plays), 0)).toBe(counts.songplays);
    });

    test('the top song, artist, user and location, with their plays', async () => {
      const [song] = await bars('top-songs');
      const top = expected.songs[0];
      expect(song).toEqual({ song: `${top.title} — ${top.artist}`, plays: String(top.plays) });
      expect((await bars('top-songs')).length).toBe(Math.min(10, expected.songs.length));
      const [artist] = await bars('top-artists');
      expect(artist).toEqual({ artist: expected.artists[0].name, plays: String(expected.artists[0].plays) });
      const [user] = await bars('busiest-users');
      expect(user.user).toMatch(new RegExp(`\\(${expected.users[0].user_id}\\)$`));
      expect(user.plays).toBe(String(expected.users[0].plays));
      const [location] = await bars('busiest-locations');
      expect(location).toEqual({ location: expected.locations[0].location, plays: String(expected.locations[0].plays) });
    });

    test('free vs paid: a bar per day and level, adding up to each level\'s plays', async () => {
      const drawn = await bars('free-vs-paid');
      expect(drawn.length).toBe(expected.days[0].bars);
      expect(new Set(drawn.map((bar) => bar.day)).size).toBe(expected.days[0].days);
      const byLevel = expected.levels.map(({ level }) => ({
        level,
        plays: drawn.filter((bar) => bar.level === level).reduce((sum, bar) => sum + Number(bar.plays), 0),
      }));
      expect(byLevel).toEqual(expected.levels);
    });

    test('the published row counts, the match rate and the load errors', async () => {
      const shown = await page.$$eval('#row-counts li[data-table]', (items) =>
        items.map((item) => [item.getAttribute('data-table'), Number(item.querySelector('strong')!.textContent!.replace(/,/g, ''))]));
      expect(Object.fromEntries(shown)).toEqual({ songplays: counts.songplays, users: counts.users, songs: counts.songs, artists: counts.artists, time: counts.time });
      const matchRate = page.locator('#match-rate');
      expect(await matchRate.getAttribute('data-matched')).toBe(String(counts.songplays_matched));
      await expect(matchRate.textContent()).resolves.toContain(`of\n${counts.songplays} plays (${((100 * counts.songplays_matched) / counts.songplays).toFixed(1)}%)`);
      const loadErrors = page.locator('#load-errors');
      expect(await loadErrors.getAttribute('data-total')).toBe('1');
      const row = await loadErrors.locator('tbody tr').first().textContent();
      expect(row).toContain('s3://udacity-dend/log_data/2018/11/2018-11-02-events.json');
      expect(row).toContain("Invalid digit, Value 'a', Pos 0, Type: Integer");
    });
  });
});
