/**
 * The local stand-in for S3: a folder whose first-level folders are buckets, or folders mounted as
 * buckets by name. Only what COPY needs: list by key prefix, open a key as a stream.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isBucketName } from './s3-url';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
}

export interface ObjectStore {
  /** Every object whose key starts with `prefix` (nested folders included), in key order. */
  list(bucket: string, prefix: string): AsyncIterable<StoredObject>;
  /** The object's bytes. Fails (on the stream) when the key does not exist. */
  open(bucket: string, key: string): Readable;
}

export class NoSuchBucketError extends Error {
  constructor(readonly bucket: string) {
    super(`The specified bucket '${bucket}' does not exist`);
    this.name = 'NoSuchBucketError';
  }
}

export class FolderObjectStore implements ObjectStore {
  private readonly root?: string;
  private readonly mounts: Map<string, string>;

  constructor(options: { root?: string; buckets?: Record<string, string> }) {
    this.root = options.root === undefined ? undefined : path.resolve(options.root);
    this.mounts = new Map(
      Object.entries(options.buckets ?? {}).map(([bucket, folder]) => [checkBucket(bucket), path.resolve(folder)]),
    );
  }

  async *list(bucket: string, prefix: string): AsyncIterable<StoredObject> {
    const bucketDir = this.bucketDir(bucket);
    if (!(await isDirectory(bucketDir))) throw new NoSuchBucketError(bucket);
    checkKey(prefix, true);
    yield* walk(bucket, bucketDir, '', prefix);
  }

  open(bucket: string, key: string): Readable {
    checkKey(key, false);
    return createReadStream(path.join(this.bucketDir(bucket), ...key.split('/')));
  }

  private bucketDir(bucket: string): string {
    const mounted = this.mounts.get(bucket);
    if (mounted !== undefined) return mounted;
    if (this.root === undefined) throw new NoSuchBucketError(bucket);
    return path.join(this.root, checkBucket(bucket));
  }
}

/**
 * Yields the files under `dir` (whose keys start with `keyPrefix`) that match `prefix`, in S3 key order.
 * Entries are sorted by name plus '/' for folders, because that is the order of the keys they produce:
 * folder `a` holds keys `a/…`, which sort after a sibling file `a-b` ('-' < '/').
 */
async function* walk(bucket: string, dir: string, keyPrefix: string, prefix: string): AsyncGenerator<StoredObject> {
  const entries: { name: string; sortKey: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const folder = entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(path.join(dir, entry.name))));
    entries.push({ name: entry.name, sortKey: entry.name + (folder ? '/' : '') });
  }
  entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const { name, sortKey } of entries) {
    const key = keyPrefix + sortKey;
    const full = path.join(dir, name);
    if (sortKey.endsWith('/')) {
      // Descend only where keys can still start with the prefix.
      if (key.startsWith(prefix) || prefix.startsWith(key)) yield* walk(bucket, full, key, prefix);
    } else if (key.startsWith(prefix)) {
      const info = await stat(full);
      if (info.isFile()) yield { bucket, key, size: info.size };
    }
  }
}

function checkBucket(bucket: string): string {
  if (!isBucketName(bucket)) throw new Error(`Invalid bucket name '${bucket}'`);
  return bucket;
}

/** Keys map onto paths, so no segment may climb out of the bucket's folder. */
function checkKey(key: string, isPrefix: boolean): void {
  const segments = key.split('/');
  const last = segments.length - 1;
  const bad = segments.some((s, i) => s === '..' || s === '.' || (s === '' && !(isPrefix && i === last)) || s.includes('\\') || s.includes('\0'));
  if (bad && !(isPrefix && key === '')) throw new Error(`Invalid object key '${key}'`);
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
