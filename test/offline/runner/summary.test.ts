/** The summary's text: what a person reads after `sparkify run`. */
import { formatChecks, formatMatchRate, formatSummary, formatTiming, loadsFromOutput, type RunSummary } from '../../../src/offline/runner/summary';

const counts = {
  staging_events: 8056, staging_songs: 14896, songplays: 6820, users: 97, songs: 14896, artists: 10025, time: 6813,
  songplays_matched: 1, unusable_records: 0, unusable_by_reason: {},
};

const report = (day: string | null, failures = 0) => ({
  day, unusable: {}, accounting: {} as never,
  checks: [{ check: 'events_staged', failures: 0 }, { check: 'songplays_user_resolves', failures }],
});

describe('the run summary', () => {
  test('the match rate, with a plain sentence when few plays matched', () => {
    expect(formatMatchRate(1, 6820)).toBe(
      'Matched plays: 1 of 6,820 songplays (0.01%) matched a song and artist in the catalogue.\n' +
        '6,819 plays name a song the catalogue does not hold: they count everywhere but in "Top songs", which shows only matched plays.',
    );
    expect(formatMatchRate(90, 100)).toBe('Matched plays: 90 of 100 songplays (90.0%) matched a song and artist in the catalogue');
    expect(formatMatchRate(0, 0)).toBe('Matched plays: no songplays to match');
  });

  test('each check with the loads that ran it and its failing rows', () => {
    const text = formatChecks([report('2018-11-01'), report('2018-11-02', 3)]);
    expect(text.split('\n')).toEqual([
      'Quality checks: 1 of 2 passed, over 2 load(s)',
      'check                    loads  failures  result',
      '-----------------------  -----  --------  ------',
      'events_staged                2         0  passed',
      'songplays_user_resolves      2         3  FAILED',
    ]);
    expect(formatChecks([])).toBe('Quality checks: not reported by this run');
  });

  test('loads, level changes and the row counts first', () => {
    const output = { loads: [{ day: null, stagedEvents: 8056, stagedSongs: 14896, songplays: 6820, unusable: { no_page: 2 } }] };
    const summary: RunSummary = {
      counts, loadErrors: { total: 0, first: [] }, loads: loadsFromOutput(output), loadReports: [report(null)],
      analytics: [{ title: 'Free vs paid', rows: [{ level: 'free', plays: 1229, users: 82 }, { level: 'paid', plays: 5591, users: 22 }] }],
      levelChanges: { usersWithBothLevels: 7, usersWhoPlayed: 97 },
    };
    const text = formatSummary(summary);
    expect(text).toMatch(/^Row counts\n/);
    expect(text).toContain('Loads: 1\nday       staged_events  songplays  unusable\n');
    expect(text).toContain('all days           8056       6820         2');
    expect(text).toContain('Level changes: 7 of the 97 users who played did so at both levels (they moved between free and paid), so the users above add up to 104');
    expect(text).toContain('Load errors: none');
  });

  test('an output without loads has none to show', () => {
    expect(loadsFromOutput({ rowCounts: {} })).toEqual([]);
  });

  test('the run time and the whole command time', () => {
    expect(formatTiming(1300, 7800)).toBe('Run finished in 1.3s; the command took 7.8s in all (start-up, warehouse, run and summary)');
  });
});
