/**
 * The emulator's S3 API, through the real @aws-sdk/client-s3 over HTTP on the emulator's one endpoint:
 * ListObjectsV2 (prefix, paging, start-after), GetObject, HeadObject, PutObject (atomic, checksummed),
 * S3's errors; and that the Data API still answers on the same endpoint.
 */
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { FolderObjectStore } from '../../../src/offline/s3/object-store';
import { TEST_TARGET, startTestEmulator, type TestEmulator } from '../../support/engines';

let tmp: string;
let emulator: TestEmulator;
let s3: S3Client;
const songs = () => path.join(tmp, 'songs');
const staging = () => path.join(tmp, 'staging');

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sparkify-s3-api-'));
  for (const [file, text] of Object.entries({
    'song_data/A/A/A/TRAAAAA.json': '{"song_id": "S1"}',
    'song_data/A/A/B/TRAAABB.json': '{"song_id": "S2"}',
    'song_data/A/B/A/TRAABAA.json': '{"song_id": "S3"}',
    'song_data-old.json': 'old',
    'log_data/2018/11/2018-11-01-events.json': '{}',
  })) {
    await mkdir(path.dirname(path.join(songs(), file)), { recursive: true });
    await writeFile(path.join(songs(), file), text);
  }
  await mkdir(staging());
  emulator = await startTestEmulator('pglite', { buckets: { 'udacity-dend': songs(), 'sparkify-staging': staging() } });
  s3 = new S3Client({ endpoint: emulator.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' }, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const errorOf = (promise: Promise<unknown>) => promise.then(
  () => { throw new Error('expected the call to fail'); },
  (error: S3ServiceException) => ({ name: error.name, status: error.$metadata.httpStatusCode }),
);

describe('ListObjectsV2', () => {
  test('lists every key that starts with the prefix, in key order, as COPY reads a prefix', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'udacity-dend', Prefix: 'song_data' }));
    expect(page.Contents?.map((object) => [object.Key, object.Size])).toEqual([
      ['song_data-old.json', 3],
      ['song_data/A/A/A/TRAAAAA.json', 17],
      ['song_data/A/A/B/TRAAABB.json', 17],
      ['song_data/A/B/A/TRAABAA.json', 17],
    ]);
    expect(page).toMatchObject({ IsTruncated: false, KeyCount: 4, Name: 'udacity-dend', Prefix: 'song_data' });
    expect(page.Contents![0].LastModified).toBeInstanceOf(Date);
    expect(page.Contents![0].ETag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test('pages with continuation tokens, and starts after a key', async () => {
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'udacity-dend', Prefix: 'song_data/' })) {
      pages++;
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    }
    expect(keys).toEqual(['song_data/A/A/A/TRAAAAA.json', 'song_data/A/A/B/TRAAABB.json', 'song_data/A/B/A/TRAABAA.json']);
    expect(pages).toBe(2);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'udacity-dend', Prefix: 'song_data/', StartAfter: 'song_data/A/A/B/TRAAABB.json' }));
    expect(after.Contents?.map((object) => object.Key)).toEqual(['song_data/A/B/A/TRAABAA.json']);
  });

  test('an unknown bucket is NoSuchBucket; a prefix with nothing under it is an empty list', async () => {
    expect(await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).toEqual({ name: 'NoSuchBucket', status: 404 });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'udacity-dend', Prefix: 'nothing/' }))).KeyCount).toBe(0);
  });
});

describe('GetObject, HeadObject, PutObject', () => {
  test('reads an object whole, and describes it', async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: 'udacity-dend', Key: 'song_data/A/A/A/TRAAAAA.json' }));
    expect(await object.Body!.transformToString()).toBe('{"song_id": "S1"}');
    expect(object.ContentLength).toBe(17);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'udacity-dend', Key: 'song_data/A/A/A/TRAAAAA.json' }));
    expect(head).toMatchObject({ ContentLength: 17, ETag: object.ETag });
  });

  test('a missing key is NoSuchKey (NotFound for HEAD), a folder is not an object, and a key cannot climb out of its bucket', async () => {
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'udacity-dend', Key: 'song_data/none.json' })))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'udacity-dend', Key: 'song_data/none.json' })))).toEqual({ name: 'NotFound', status: 404 });
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'udacity-dend', Key: 'song_data/A' })))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'sparkify-staging', Key: 'a/../../escape.json', Body: 'x' })))).toEqual({ name: 'InvalidArgument', status: 400 });
    expect(await readdir(tmp)).toEqual(['songs', 'staging']);
  });

  test('writes an object (folders made as needed), replaces it whole, and reads it back; no temporary file is left or listed', async () => {
    const key = 'compacted_songs/abc/part 00000+x.json';
    const first = await s3.send(new PutObjectCommand({ Bucket: 'sparkify-staging', Key: key, Body: Buffer.from('{"a": 1}\n') }));
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await s3.send(new PutObjectCommand({ Bucket: 'sparkify-staging', Key: key, Body: Buffer.from('{"a": 2}\n{"a": 3}\n') }));
    expect(await readFile(path.join(staging(), 'compacted_songs', 'abc', 'part 00000+x.json'), 'utf8')).toBe('{"a": 2}\n{"a": 3}\n');
    const back = await s3.send(new GetObjectCommand({ Bucket: 'sparkify-staging', Key: key }));
    expect(await back.Body!.transformToString()).toBe('{"a": 2}\n{"a": 3}\n');
    expect(await readdir(path.join(staging(), 'compacted_songs', 'abc'))).toEqual(['part 00000+x.json']);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'sparkify-staging', Prefix: 'compacted_songs/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
  });

  test('a body whose CRC32 is not the one sent is refused (BadDigest) and the old object stays', async () => {
    const key = 'checked.json';
    await s3.send(new PutObjectCommand({ Bucket: 'sparkify-staging', Key: key, Body: 'kept' }));
    const response = await fetch(`${emulator.endpoint}/sparkify-staging/${key}`, {
      method: 'PUT', body: 'other bytes', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
    expect(await readFile(path.join(staging(), key), 'utf8')).toBe('kept');
  });

  test('an unknown bucket is NoSuchBucket for a write too; what the API does not implement says so', async () => {
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })))).toEqual({ name: 'NoSuchBucket', status: 404 });
    expect(await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'udacity-dend', Delimiter: '/' })))).toEqual({ name: 'NotImplemented', status: 501 });
  });
});

test('the Data API still answers on the same endpoint', async () => {
  const { Id } = await emulator.client.send(new ExecuteStatementCommand({ ...TEST_TARGET, Sql: 'SELECT 1' }));
  expect(Id).toEqual(expect.any(String));
});

describe('FolderObjectStore.put', () => {
  test('writes atomically: a concurrent listing never shows the temporary file, and keys are checked as for reading', async () => {
    const store = new FolderObjectStore({ buckets: { 'sparkify-staging': staging() } });
    const big = Buffer.alloc(8 * 1024 * 1024, 'x');
    const writes = Array.from({ length: 4 }, (_, i) => store.put('sparkify-staging', `atomic/${i}.json`, big));
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) for await (const object of store.list('sparkify-staging', 'atomic/')) seen.add(object.key);
    await Promise.all(writes);
    for (const key of seen) expect(key).toMatch(/^atomic\/\d\.json$/);
    await expect(store.put('sparkify-staging', 'a//b', Buffer.from('x'))).rejects.toThrow("Invalid object key 'a//b'");
    await expect(store.put('sparkify-staging', 'x/.sparkify-upload-1', Buffer.from('x'))).rejects.toThrow('reserved for uploads');
  });
});
