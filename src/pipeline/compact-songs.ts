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

interface ListedObject {
  key: string;
  size: number;
}

const s3Location = (url: string) => {
  const [, bucket, key = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)!;
  return { bucket, key };
};

/**
 * Parts are planned from the listing's sizes, then read and written one at a time, so memory holds one
 * part's objects however large song_data grows.
 */
export async function compactSongs(
  s3: S3Client,
  config: PipelineConfig,
  runId: string,
  options: { concurrency?: number } = {},
): Promise<CompactionResult> {
  const started = Date.now();
  const location = compactionLocation(config, runId);
  const source = s3Location(config.s3.songData);
  const objects = await listObjects(s3, source.bucket, source.key);
  const sizes = objects.map((object) => object.size);
  const totalBytes = sizes.reduce((sum, n) => sum + n, 0);
  // An object goes to the part its first byte falls in: parts of about equal size, in key order.
  const starts = partStarts(sizes, partCount(totalBytes, objects.length, config.compaction.targetBytes, config.compaction.slices));
  const groups = starts.map((start, index) => objects.slice(start, starts[index + 1] ?? objects.length));

  const partUrls: string[] = [];
  const sources: { url: string; lines: [string, number][] }[] = [];
  const leftOut: string[] = [];
  let records = 0;
  let partBytes = 0;
  for (const group of groups) {
    const folded = await mapConcurrently(group, options.concurrency ?? DEFAULT_READ_CONCURRENCY, async ({ key }) => {
      const output = await callAws('GetObject', () => s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: key })));
      const bytes = await callAws('GetObject', () => output.Body!.transformToByteArray());
      return { url: `s3://${source.bucket}/${key}`, records: foldableRecords(bytes) };
    });
    // Which source object (and line in it) each of the part's lines came from: a load error names a part's line.
    const lines: [string, number][] = [];
    let text = '';
    for (const object of folded) {
      if (object.records === null) {
        leftOut.push(object.url);
        continue;
      }
      object.records.forEach((record, i) => {
        text += `${record}\n`;
        lines.push([object.url, i + 1]);
      });
    }
    // A part whose objects were all left out is not written.
    if (lines.length === 0) continue;
    const url = location.part(partUrls.length);
    const body = Buffer.from(text);
    await put(s3, url, body, 'application/x-ndjson');
    partUrls.push(url);
    sources.push({ url, lines });
    records += lines.length;
    partBytes += body.length;
  }
  await put(s3, location.sources, Buffer.from(`${JSON.stringify({ parts: sources })}\n`), 'application/json');
  // The manifest last: it names only objects already written.
  await put(s3, location.manifest, Buffer.from(manifestText([...partUrls, ...leftOut])), 'application/json');

  return {
    manifest: location.manifest,
    sourceObjects: objects.length,
    records,
    parts: partUrls.length,
    partBytes,
    leftOut: leftOut.length,
    leftOutUrls: leftOut.slice(0, LEFT_OUT_SHOWN),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Every object whose key starts with the prefix, in S3's key order, as COPY reads a prefix. */
async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  const pages = paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix });
  for (;;) {
    const page = await callAws('ListObjectsV2', () => pages.next());
    if (page.done) break;
    for (const object of page.value.Contents ?? []) objects.push({ key: object.Key!, size: object.Size ?? 0 });
  }
  return objects;
}

async function put(s3: S3Client, url: string, body: Buffer, contentType: string): Promise<void> {
  const { bucket, key } = s3Location(url);
  await callAws('PutObject', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })));
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
