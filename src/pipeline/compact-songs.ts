/**
 * The compactSongs stage's work: list the song objects under S3_SONG_DATA (the keys COPY would read from
 * that prefix), read them with bounded parallelism, and write the run's compacted parts, its manifest and
 * its sources index (see compaction.ts). Every S3 call goes through callAws, so throttling, 5xx and
 * network errors surface as TransientDataApiError, which the state machine's Retry retries; a rerun of the
 * same execution rewrites the same keys.
 */
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { callAws } from '../redshift/data-api';
import type { PipelineConfig } from './config';
import { compactionLocation, foldableRecords, manifestText, partCount, partStarts } from './compaction';

/** Concurrent GETs: enough to hide S3's per-request latency, few enough for one Lambda's sockets. */
export const DEFAULT_READ_CONCURRENCY = 32;
/** How many left-out objects the stage's output names (the manifest lists them all). */
const LEFT_OUT_SHOWN = 10;

export interface CompactionResult {
  manifest: string;
  /** Objects under the song prefix. */
  sourceObjects: number;
  /** Records folded into the compacted parts, and the parts written. */
  records: number;
  parts: number;
  partBytes: number;
  /** Objects not folded (not UTF-8 JSON objects): the manifest lists their original URL. */
  leftOut: number;
  leftOutUrls: string[];
  seconds: number;
}

interface SourceObject {
  url: string;
  /** One line of JSON per record, or null when the object is left out of compaction. */
  records: string[] | null;
}

const s3Location = (url: string) => {
  const [, bucket, key = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)!;
  return { bucket, key };
};

export async function compactSongs(
  s3: S3Client,
  config: PipelineConfig,
  runId: string,
  options: { concurrency?: number } = {},
): Promise<CompactionResult> {
  const started = Date.now();
  const location = compactionLocation(config, runId);
  const source = s3Location(config.s3.songData);
  const keys = await listKeys(s3, source.bucket, source.key);
  const objects = await mapConcurrently(keys, options.concurrency ?? DEFAULT_READ_CONCURRENCY, async (key): Promise<SourceObject> => {
    const output = await callAws('GetObject', () => s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: key })));
    const bytes = await callAws('GetObject', () => output.Body!.transformToByteArray());
    return { url: `s3://${source.bucket}/${key}`, records: foldableRecords(bytes) };
  });

  // Lines in key order, each with the object it came from and its line there.
  const lines: { text: string; url: string; line: number }[] = [];
  const leftOut: string[] = [];
  for (const object of objects) {
    if (object.records === null) leftOut.push(object.url);
    else object.records.forEach((text, i) => lines.push({ text: `${text}\n`, url: object.url, line: i + 1 }));
  }
  const lineBytes = lines.map((line) => Buffer.byteLength(line.text));
  const totalBytes = lineBytes.reduce((sum, n) => sum + n, 0);
  const starts = partStarts(lineBytes, partCount(totalBytes, lines.length, config.compaction.targetBytes, config.compaction.slices));

  const parts = starts.map((start, index) => ({ url: location.part(index), lines: lines.slice(start, starts[index + 1] ?? lines.length) }));
  await mapConcurrently(parts, 4, (part) => put(s3, part.url, part.lines.map((line) => line.text).join(''), 'application/x-ndjson'));
  // Which source object (and line in it) each part's lines came from: a load error names a part's line.
  const sources = parts.map((part) => ({ url: part.url, lines: part.lines.map((line) => [line.url, line.line]) }));
  await put(s3, location.sources, `${JSON.stringify({ parts: sources })}\n`, 'application/json');
  // The manifest last: it names only objects already written.
  await put(s3, location.manifest, manifestText([...parts.map((part) => part.url), ...leftOut]), 'application/json');

  return {
    manifest: location.manifest,
    sourceObjects: keys.length,
    records: lines.length,
    parts: parts.length,
    partBytes: totalBytes,
    leftOut: leftOut.length,
    leftOutUrls: leftOut.slice(0, LEFT_OUT_SHOWN),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Every key that starts with the prefix, in S3's key order, as COPY reads a prefix. */
async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const pages = paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix });
  for (;;) {
    const page = await callAws('ListObjectsV2', () => pages.next());
    if (page.done) break;
    for (const object of page.value.Contents ?? []) keys.push(object.Key!);
  }
  return keys;
}

async function put(s3: S3Client, url: string, body: string, contentType: string): Promise<void> {
  const { bucket, key } = s3Location(url);
  await callAws('PutObject', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body), ContentType: contentType })));
}

/** Maps with at most `limit` calls in flight; results in input order; the first failure rejects. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
