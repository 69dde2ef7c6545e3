import { SeededRandom } from './random';
import { ARTIST_FIRST, ARTIST_LAST, ARTIST_LOCATIONS, TITLE_SUFFIXES, TITLE_WORDS } from './words';

export interface Artist {
  id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  location: string;
}

export interface Song {
  trackId: string;
  id: string;
  title: string;
  artist: Artist;
  /** The location printed in this song's file; real files disagree for the same artist. */
  artistLocation: string;
  duration: number;
  year: number;
}

/** A play's identity as the star schema matches it: title + artist name + duration. */
export function matchKey(title: string, artistName: string, duration: number): string {
  return `${title}\u0000${artistName}\u0000${duration}`;
}

function title(random: SeededRandom): string {
  const words = random.int(1, 3);
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(random.pick(TITLE_WORDS));
  return parts.join(' ') + random.pick(TITLE_SUFFIXES);
}

function artistName(random: SeededRandom): string {
  return `${random.pick(ARTIST_FIRST)} ${random.pick(ARTIST_LAST)}`;
}

/** Seconds with five decimals and never a whole number, as in the Million Song Dataset. */
function duration(random: SeededRandom): number {
  const hundredThousandths = random.int(60_00000, 600_00000);
  return (hundredThousandths % 100000 === 0 ? hundredThousandths + 1 : hundredThousandths) / 100000;
}

function coordinate(random: SeededRandom, limit: number): number {
  return Math.round((random.next() * 2 - 1) * limit * 100000) / 100000;
}

function makeArtist(random: SeededRandom): Artist {
  const located = random.chance(0.45); // the sample: 40 of 71 songs have a null latitude
  return {
    id: `AR${random.code(16)}`,
    name: artistName(random),
    latitude: located ? coordinate(random, 60) : null,
    longitude: located ? coordinate(random, 150) : null,
    location: random.chance(0.5) ? random.pick(ARTIST_LOCATIONS) : '',
  };
}

/**
 * The song catalogue. Artists have one to three songs, so there are fewer artists than songs; no two
 * songs share title + artist + duration, so every play of a catalogue song matches exactly one song.
 */
export function makeCatalogue(random: SeededRandom, songCount: number): { songs: Song[]; artistCount: number } {
  const songs: Song[] = [];
  const seen = new Set<string>();
  let artist = makeArtist(random);
  let artistCount = 1;
  let songsLeftForArtist = random.int(1, 3);
  while (songs.length < songCount) {
    if (songsLeftForArtist === 0) {
      artist = makeArtist(random);
      artistCount++;
      songsLeftForArtist = random.int(1, 3);
    }
    const song: Song = {
      trackId: `TR${random.code(16)}`,
      id: `SO${random.code(16)}`,
      title: title(random),
      artist,
      // Now and then a file leaves the location blank although the artist has one.
      artistLocation: random.chance(0.15) ? '' : artist.location,
      duration: duration(random),
      year: random.chance(0.6) ? 0 : random.int(1955, 2010),
    };
    const key = matchKey(song.title, artist.name, song.duration);
    if (seen.has(key)) continue;
    seen.add(key);
    songs.push(song);
    songsLeftForArtist--;
  }
  return { songs, artistCount };
}

/** What an event log says was played. */
export interface Track {
  title: string;
  artistName: string;
  duration: number;
}

/** Tracks that are not in the catalogue: what most plays in the real logs are. */
export function makeOutsideTracks(random: SeededRandom, count: number, catalogue: readonly Song[]): Track[] {
  const taken = new Set(catalogue.map((song) => matchKey(song.title, song.artist.name, song.duration)));
  const outside: Track[] = [];
  while (outside.length < count) {
    const track = { title: title(random), artistName: artistName(random), duration: duration(random) };
    if (taken.has(matchKey(track.title, track.artistName, track.duration))) continue;
    outside.push(track);
  }
  return outside;
}
