import { SeededRandom } from './random';
import { asciiJson, eventObject, floatJson } from './json';
import type { Song, Track } from './catalogue';
import { FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, LOCATIONS, USER_AGENTS } from './words';

type Level = 'free' | 'paid';

export interface User {
  id: string;
  firstName: string;
  lastName: string;
  gender: 'F' | 'M';
  location: string;
  userAgent: string;
  registration: number;
  level: Level;
  /** Some users upgrade or downgrade during the period, as 8 of the sample's users do. */
  changesLevel: boolean;
}

interface Session {
  id: number;
  /** null for a logged-out visitor: the event has an empty userId. */
  user: User | null;
  itemInSession: number;
}

/** What a correct load of the generated events gives, counted while writing them. */
export interface EventTally {
  events: number;
  loggedOutEvents: number;
  songplays: number;
  songplaysMatched: number;
  /** Distinct songplay start times; events come out in time order, so equal times are adjacent. */
  songplayTimes: number;
  usersSeen: Set<string>;
}

export const DAY_MS = 86_400_000;
const CONCURRENT_SESSIONS = 16;

const LOGGED_IN_PAGES = {
  NextSong: 82, Home: 7, Settings: 1, 'Save Settings': 0.3, Help: 0.6, About: 0.4,
  Upgrade: 0.4, Downgrade: 0.8, Error: 0.15, Logout: 1.3,
} as const;
const LOGGED_OUT_PAGES = { Home: 60, Login: 30, About: 5, Help: 5 } as const;

/** Share of plays that are exactly a catalogue song, and that look like one but differ in duration. */
const MATCHING_PLAY_SHARE = 0.1;
const NEAR_MISS_PLAY_SHARE = 0.03;

export function makeUsers(random: SeededRandom, count: number, periodStart: number): User[] {
  const users: User[] = [];
  for (let i = 1; i <= count; i++) {
    const gender = random.chance(0.5) ? 'F' : 'M';
    users.push({
      id: String(i),
      firstName: random.pick(gender === 'F' ? FIRST_NAMES_F : FIRST_NAMES_M),
      lastName: random.pick(LAST_NAMES),
      gender,
      location: random.pick(LOCATIONS),
      userAgent: random.pick(USER_AGENTS),
      registration: periodStart - random.int(DAY_MS, 60 * DAY_MS),
      level: random.chance(0.75) ? 'free' : 'paid',
      changesLevel: random.chance(0.15),
    });
  }
  return users;
}

function statusAndMethod(page: string): [number, string] {
  if (page === 'NextSong') return [200, 'PUT'];
  if (page === 'Error') return [404, 'GET'];
  if (['Login', 'Logout', 'Save Settings', 'Submit Upgrade', 'Submit Downgrade'].includes(page)) return [307, 'PUT'];
  return [200, 'GET'];
}

/**
 * Simulates a few sessions at a time and emits their events in time order, one JSON line each.
 * It holds the catalogue and the users, never the events.
 */
export class EventSimulator {
  readonly tally: EventTally = { events: 0, loggedOutEvents: 0, songplays: 0, songplaysMatched: 0, songplayTimes: 0, usersSeen: new Set() };
  private readonly sessions: Session[] = [];
  private nextSessionId = 1;
  /** Users wait in a shuffled queue, so every user gets a session before anyone gets a second. */
  private userQueue: User[] = [];
  private lastSongplayTs = -1;

  constructor(
    private readonly random: SeededRandom,
    private readonly users: readonly User[],
    private readonly catalogue: readonly Song[],
    private readonly outsideTracks: readonly Track[],
  ) {}

  /** The events of one UTC day, as JSON lines without line ends. */
  *day(dayStart: number, eventCount: number): Generator<string> {
    const averageGap = DAY_MS / (eventCount + 1);
    let ts = dayStart + this.random.int(0, Math.floor(averageGap));
    for (let i = 0; i < eventCount; i++) {
      // A few events share a millisecond with the one before, as in the real logs.
      if (i > 0 && !this.random.chance(0.003)) ts += this.random.int(1, Math.floor(2 * averageGap));
      ts = Math.min(ts, dayStart + DAY_MS - 1);
      yield this.event(ts);
    }
  }

  private newSession(): Session {
    let user: User | null = null;
    if (this.users.length > 0 && !this.random.chance(0.04)) {
      if (this.userQueue.length === 0) this.userQueue = this.random.shuffled(this.users);
      user = this.userQueue.pop() as User;
    }
    return { id: this.nextSessionId++, user, itemInSession: 0 };
  }

  private event(ts: number): string {
    if (this.sessions.length < CONCURRENT_SESSIONS) this.sessions.push(this.newSession());
    const slot = this.random.int(0, this.sessions.length - 1);
    const session = this.sessions[slot];
    const line = session.user ? this.loggedInEvent(session, session.user, ts) : this.loggedOutEvent(session, ts);
    session.itemInSession++;
    this.tally.events++;
    return line;
  }

  private endSessionIf(session: Session, ends: boolean): void {
    if (ends) this.sessions[this.sessions.indexOf(session)] = this.newSession();
  }

  private loggedOutEvent(session: Session, ts: number): string {
    const page = this.random.weighted(LOGGED_OUT_PAGES);
    this.tally.loggedOutEvents++;
    const [status, method] = statusAndMethod(page);
    const line = eventObject([
      ['artist', 'null'], ['auth', asciiJson('Logged Out')], ['firstName', 'null'], ['gender', 'null'],
      ['itemInSession', String(session.itemInSession)], ['lastName', 'null'], ['length', 'null'],
      ['level', asciiJson(this.random.chance(0.8) ? 'free' : 'paid')], ['location', 'null'], ['method', asciiJson(method)],
      ['page', asciiJson(page)], ['registration', 'null'], ['sessionId', String(session.id)], ['song', 'null'],
      ['status', String(status)], ['ts', String(ts)], ['userAgent', 'null'], ['userId', asciiJson('')],
    ]);
    this.endSessionIf(session, page === 'Login' || this.random.chance(0.4));
    return line;
  }

  private loggedInEvent(session: Session, user: User, ts: number): string {
    let page: string = this.random.weighted(LOGGED_IN_PAGES);
    if (user.changesLevel && this.random.chance(0.02)) page = user.level === 'free' ? 'Submit Upgrade' : 'Submit Downgrade';
    const track = page === 'NextSong' ? this.playedTrack(ts) : null;
    const [status, method] = statusAndMethod(page);
    const line = eventObject([
      ['artist', track ? asciiJson(track.artistName) : 'null'], ['auth', asciiJson('Logged In')],
      ['firstName', asciiJson(user.firstName)], ['gender', asciiJson(user.gender)],
      ['itemInSession', String(session.itemInSession)], ['lastName', asciiJson(user.lastName)],
      ['length', track ? String(track.duration) : 'null'], ['level', asciiJson(user.level)],
      ['location', asciiJson(user.location)], ['method', asciiJson(method)], ['page', asciiJson(page)],
      ['registration', floatJson(user.registration)], ['sessionId', String(session.id)],
      ['song', track ? asciiJson(track.title) : 'null'], ['status', String(status)], ['ts', String(ts)],
      ['userAgent', asciiJson(user.userAgent)], ['userId', asciiJson(user.id)],
    ]);
    this.tally.usersSeen.add(user.id);
    if (page === 'Submit Upgrade') user.level = 'paid';
    if (page === 'Submit Downgrade') user.level = 'free';
    this.endSessionIf(session, page === 'Logout' || this.random.chance(1 / 30));
    return line;
  }

  /** Picks what a NextSong event played and counts it as a songplay. */
  private playedTrack(ts: number): Track {
    this.tally.songplays++;
    if (ts !== this.lastSongplayTs) this.tally.songplayTimes++;
    this.lastSongplayTs = ts;
    const roll = this.random.next();
    if (this.catalogue.length > 0 && roll < MATCHING_PLAY_SHARE + NEAR_MISS_PLAY_SHARE) {
      const song = this.random.pick(this.catalogue);
      const exact = roll < MATCHING_PLAY_SHARE;
      if (exact) this.tally.songplaysMatched++;
      // A near miss names a catalogue song but differs in duration, so it must not match.
      return { title: song.title, artistName: song.artist.name, duration: exact ? song.duration : Math.round((song.duration + 1) * 100000) / 100000 };
    }
    return this.random.pick(this.outsideTracks);
  }
}
