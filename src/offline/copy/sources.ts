/**
 * Which objects a COPY reads (a key prefix, or the files a manifest lists) and how their bytes arrive
 * (as stored, or gunzipped), always as streams.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { NoSuchBucketError, type ObjectStore, type StoredObject } from '../s3/object-store';
import { parseS3Url, s3Url, type S3Location } from '../s3/s3-url';
import { CopyFailedError } from './errors';

/** Manifests and JSONPaths files are small; a cap keeps a wrong target from filling memory. */
const SMALL_FILE_LIMIT = 16 * 1024 * 1024;

export interface SourceObject extends S3Location {
  /** The full s3:// URL, as load-error rows show it. */
  url: string;
  /** Its size in bytes, as listed. */
  size: number;
}

/** Every object whose key starts with the prefix, in key order; none is an error, as in Redshift. */
export async function* objectsUnderPrefix(store: ObjectStore, prefix: S3Location): AsyncGenerator<SourceObject> {
  let found = false;
  for await (const object of s3Call(() => store.list(prefix.bucket, prefix.key))) {
    found = true;
    yield { bucket: object.bucket, key: object.key, url: s3Url(object), size: object.size };
  }
  if (!found) throw new CopyFailedError(`The specified S3 prefix '${prefix.key}' does not exist`);
}

/**
 * The files a manifest lists, in its order (a file listed twice loads twice). A missing mandatory file
 * stops the COPY; a missing optional one is skipped; no file at all is an error.
 */
export async function manifestObjects(store: ObjectStore, manifest: S3Location): Promise<SourceObject[]> {
  const text = await readSmallObject(store, manifest, 'manifest');
  const where = `manifest '${s3Url(manifest)}'`;
  let entries: unknown;
  try {
    entries = (JSON.parse(text) as { entries?: unknown }).entries;
  } catch (error) {
    throw new CopyFailedError(`Invalid ${where}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new CopyFailedError(`Invalid ${where}: it needs an "entries" array`);
  const objects: SourceObject[] = [];
  for (const [i, entry] of entries.entries()) {
    const { url, mandatory = false } = (entry ?? {}) as { url?: unknown; mandatory?: unknown };
    const location = typeof url === 'string' ? parseS3Url(url) : null;
    if (!location || typeof mandatory !== 'boolean') {
      throw new CopyFailedError(`Invalid ${where}: entry ${i} needs an s3:// "url" and an optional boolean "mandatory"`);
    }
    const listed = await listedObject(store, location);
    if (listed) objects.push({ ...location, url: s3Url(location), size: listed.size });
    else if (mandatory) throw new CopyFailedError(`Manifest file '${s3Url(location)}' is mandatory but does not exist (${where})`);
  }
  if (objects.length === 0) throw new CopyFailedError(`No files found to load: ${where} lists none that exists`);
  return objects;
}

/** The object at exactly this key, if any: an exact key sorts first among the keys it prefixes. */
async function listedObject(store: ObjectStore, location: S3Location): Promise<StoredObject | null> {
  for await (const object of s3Call(() => store.list(location.bucket, location.key))) return object.key === location.key ? object : null;
  return null;
}

/** Reads a manifest or JSONPaths file whole (they are small), failing the COPY when it is missing or too large. */
export async function readSmallObject(store: ObjectStore, location: S3Location, what: string): Promise<string> {
  if (!(await listedObject(store, location))) throw new CopyFailedError(`The ${what} file '${s3Url(location)}' does not exist`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of store.open(location.bucket, location.key) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SMALL_FILE_LIMIT) throw new CopyFailedError(`The ${what} file '${s3Url(location)}' is larger than ${SMALL_FILE_LIMIT} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The object's bytes, gunzipped under GZIP. */
export function openObject(store: ObjectStore, object: SourceObject, gzip: boolean): Readable {
  const stream = store.open(object.bucket, object.key);
  if (!gzip) return stream;
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  return stream.pipe(gunzip);
}

async function* s3Call<T>(list: () => AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* list();
  } catch (error) {
    if (error instanceof NoSuchBucketError) {
      throw new CopyFailedError(`S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,Bucket ${error.bucket}`);
    }
    throw error;
  }
}
