/**
 * An object's bytes cut into segments at line breaks, and one segment turned into COPY text and
 * rejections. A segment can be converted on its own (on any thread) because it starts at a line start
 * that is assumed to lie between records; the segment says whether it also ended between records, and
 * when it did not (a record spanning the cut) the object is read again from that segment's start in
 * one pass, so the result never depends on where the cuts fell.
 *
 * The common line, one whole record, takes a fast path: a native search for the line break and one
 * JSON.parse. Anything else on the line (several records, a record over several lines, junk, invalid
 * UTF-8) goes to the record scanner, from that line to the segment's end.
 */
import type { Rejection, RecordConverter } from './record-converter';
import { scanRejection } from './record-converter';
import { parseRecord, type JsonValue } from './conversions';
import { RecordScanner, type ScanStart } from './record-scanner';

/** Segments are about this size: large enough to amortise a hand-over to a worker, small enough to keep memory flat. */
export const SEGMENT_BYTES = 4 * 1024 * 1024;

const LF = 0x0a, CR = 0x0d, SPACE = 0x20, TAB = 0x09;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

export interface SegmentOutcome {
  /** The rows, as COPY text in UTF-8. */
  text: Buffer;
  rejections: Rejection[];
  /**
   * 'between': the segment ended between records. 'open': a record (or the skipped rest of a broken one)
   * runs past its end. 'done': the scanner stopped reading the object (gzip bytes).
   */
  end: 'between' | 'open' | 'done';
}

/** Converts one segment; `last` says that the object ends with it. */
export function convertSegment(bytes: Buffer, start: ScanStart, last: boolean, converter: RecordConverter, maxRecordBytes: number): SegmentOutcome {
  const text = new TextBuffer(bytes.length);
  const rejections: Rejection[] = [];
  const take = (result: string | Rejection) => {
    if (typeof result === 'string') text.append(result);
    else rejections.push(result);
  };
  let line = start.line;
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(LF, at);
    const end = lineEnd === -1 ? bytes.length : lineEnd;
    let first = at;
    let last_ = end;
    while (first < last_ && isBlank(bytes[first])) first++;
    while (last_ > first && isBlank(bytes[last_ - 1])) last_--;
    if (first < last_) {
      const record = last_ - first <= maxRecordBytes ? wholeRecord(bytes, first, last_) : null;
      if (record === null) {
        // Not one plain record: the scanner reads from this line on.
        const scanner = new RecordScanner(maxRecordBytes, { line, offset: start.offset + at });
        for (const item of scanner.push(bytes.subarray(at))) take(item.kind === 'record' ? converter.convertBytes(item.bytes, item) : scanRejection(item));
        if (last) for (const item of scanner.end()) take(scanRejection(item));
        const end = scanner.done ? 'done' : last || scanner.between ? 'between' : 'open';
        return { text: text.bytes(), rejections, end };
      }
      take(converter.convert(record.text, { firstLine: line, firstColumn: first - at + 1, lastLine: line }, record.value));
    }
    if (lineEnd === -1) break;
    at = lineEnd + 1;
    line++;
  }
  return { text: text.bytes(), rejections, end: 'between' };
}

/**
 * UTF-8 text appended into one buffer that grows by doubling: no long string to build, flatten and
 * encode at the end, and a buffer of its own that a worker can hand over whole.
 */
class TextBuffer {
  private buffer: Buffer;
  private length = 0;

  constructor(expectedBytes: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(1024, expectedBytes));
  }

  append(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (this.length + 3 * text.length > this.buffer.length) this.grow(3 * text.length);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private grow(atLeast: number): void {
    const larger = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.length + atLeast));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB || b === CR;
}

/** The bytes as one JSON object or array, parsed; null when they are anything else. */
function wholeRecord(bytes: Buffer, from: number, to: number): { text: string; value: JsonValue } | null {
  const open = bytes[from];
  const close = bytes[to - 1];
  if (!((open === OPEN_BRACE && close === CLOSE_BRACE) || (open === OPEN_BRACKET && close === CLOSE_BRACKET))) return null;
  const text = bytes.toString('utf8', from, to);
  // Invalid UTF-8 decodes to U+FFFD; the scanner's path keeps the bad bytes for the converter to judge.
  if (text.includes('\uFFFD')) return null;
  try {
    return { text, value: parseRecord(text) };
  } catch {
    return null;
  }
}

/** A segment as cut from its object: its bytes and where they start. */
export interface Segment {
  bytes: Buffer;
  start: ScanStart;
  /** The object ends with this segment. */
  last: boolean;
}

/**
 * Cuts a byte stream into segments of about `segmentBytes`, each ending just after a line break (the
 * last one wherever the stream ends). A line longer than `maxLineBytes` ends the cutting: the rest
 * comes as one 'rest' marker, to be read in one pass.
 */
export async function* cutSegments(
  source: AsyncIterable<Buffer>,
  segmentBytes: number,
  maxLineBytes: number,
): AsyncGenerator<Segment | { rest: ScanStart }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Whether `pending` holds a line break: without one there is nothing to cut, so nothing to join yet.
  let pendingHasBreak = false;
  const start: ScanStart = { line: 1, offset: 0 };
  for await (const chunk of source) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    pendingHasBreak ||= chunk.includes(LF);
    if (pendingBytes < segmentBytes) continue;
    if (!pendingHasBreak) {
      if (pendingBytes > maxLineBytes) {
        yield { rest: { ...start } };
        return;
      }
      continue;
    }
    const joined = ownedConcat(pending, pendingBytes);
    const cut = joined.lastIndexOf(LF) + 1;
    const segment: Segment = { bytes: joined.subarray(0, cut), start: { ...start }, last: false };
    // All that is read from `joined` is read before the segment goes out: a worker takes its memory.
    start.line += countLineBreaks(joined, cut);
    start.offset += cut;
    pending = cut < joined.length ? [Buffer.from(joined.subarray(cut))] : [];
    pendingBytes = joined.length - cut;
    pendingHasBreak = false;
    yield segment;
  }
  yield { bytes: ownedConcat(pending, pendingBytes), start: { ...start }, last: true };
}

/** The chunks joined in memory of its own (never Node's shared buffer pool), so it can be moved to a worker. */
function ownedConcat(chunks: Buffer[], length: number): Buffer {
  const joined = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(joined, at);
  return joined;
}

function countLineBreaks(bytes: Buffer, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(LF); i !== -1 && i < end; i = bytes.indexOf(LF, i + 1)) count++;
  return count;
}
