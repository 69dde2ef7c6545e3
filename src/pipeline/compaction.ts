/**
 * The small-files problem: song_data holds thousands of one-song JSON objects, and Redshift COPY spends
 * far more time opening objects than reading them. compactSongs folds them into a few large
 * newline-delimited JSON objects of about equal size (their count a multiple of the slices) and a COPY
 * manifest that lists them; StageSongs then COPYs that manifest. This module is the pure part: where a
 * run's objects go, which source objects may be folded, how objects are grouped into parts, the manifest.
 *
 * An object is folded only when it is valid UTF-8 holding nothing but whitespace-separated JSON objects;
 * each object becomes one line, its text kept (only newlines between tokens become spaces). Anything else
 * stays where it is and the manifest lists its original URL, so COPY still reports its errors by the
 * original file and line.
 */
import type { PipelineConfig } from './config';

export interface CompactionLocation {
  /** s3://…/<compacted prefix>/<runId>/: the run's own folder, rewritten as a whole by a rerun. */
  folder: string;
  manifest: string;
  /** Which source object each line of each part came from, for reading a load error back to its file. */
  sources: string;
  part(index: number): string;
}

/** Where one run's compacted objects go: keyed by the run id, so executions never share an object. */
export function compactionLocation(config: PipelineConfig, runId: string): CompactionLocation {
  if (config.s3.compactedSongs === undefined) {
    throw new Error('Song compaction is not configured: S3_COMPACTED_SONGS is not set');
  }
  const folder = `${config.s3.compactedSongs}/${runId}/`;
  return {
    folder,
    manifest: `${folder}manifest.json`,
    sources: `${folder}sources.json`,
    part: (index) => `${folder}part-${String(index).padStart(5, '0')}.json`,
  };
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The records of one source object, each as one line of JSON text, or null when the object must not be
 * folded: not UTF-8, a byte-order mark, anything but JSON objects separated by whitespace, or an object
 * that does not parse.
 */
export function foldableRecords(bytes: Uint8Array): string[] | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  const records: string[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (WHITESPACE.has(code)) {
      i++;
      continue;
    }
    if (code !== 0x7b /* { */) return null;
    const end = endOfValue(text, i);
    if (end < 0) return null;
    const record = text.slice(i, end);
    try {
      JSON.parse(record);
    } catch {
      return null;
    }
    // Valid JSON has newlines only between tokens, never inside a string: they become spaces.
    records.push(record.replace(/[\r\n]/g, ' '));
    i = end;
  }
  return records;
}

/** The index just past the object or array that starts at `start`, or -1 when the text ends first. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * How many parts: about `targetBytes` each, at least one per slice, rounded up to a multiple of `slices`
 * (so every slice loads the same number of objects), never more than there are items to split.
 */
export function partCount(totalBytes: number, items: number, targetBytes: number, slices: number): number {
  if (items === 0) return 0;
  const bySize = Math.max(1, Math.ceil(totalBytes / targetBytes));
  return Math.min(items, Math.ceil(bySize / slices) * slices);
}

/**
 * Splits items (in key order) into `parts` contiguous runs of about equal bytes: an item goes to the part
 * its first byte falls in. Returns each part's first item index; a part that would be empty is dropped.
 */
export function partStarts(itemBytes: readonly number[], parts: number): number[] {
  const total = itemBytes.reduce((sum, n) => sum + n, 0);
  const starts: number[] = [];
  let before = 0;
  let lastPart = -1;
  itemBytes.forEach((bytes, item) => {
    // Items of no bytes at all go to the first part (and 0/0 would be no part).
    const part = total === 0 ? 0 : Math.min(parts - 1, Math.floor((before * parts) / total));
    if (part > lastPart) {
      starts.push(item);
      lastPart = part;
    }
    before += bytes;
  });
  return starts;
}

/** A Redshift COPY manifest: every entry mandatory, so a missing object fails the COPY. */
export function manifestText(urls: readonly string[]): string {
  return `${JSON.stringify({ entries: urls.map((url) => ({ url, mandatory: true })) }, null, 1)}\n`;
}
