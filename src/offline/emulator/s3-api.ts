/**
 * A minimal S3 REST API over the emulator's FolderObjectStore, on the same endpoint as the Data API, so
 * the unchanged @aws-sdk/client-s3 (or the AWS CLI) reads and writes the folder standing for S3: what
 * the compactSongs stage needs, path-style only (the SDK uses path-style for an IP-address endpoint).
 *
 * - ListObjectsV2: `GET /<bucket>?list-type=2` with prefix, start-after, continuation-token, max-keys
 *   (1–1000) and encoding-type=url; no delimiter.
 * - GetObject, HeadObject: `GET|HEAD /<bucket>/<key>`, the whole object (no ranges).
 * - PutObject: `PUT /<bucket>/<key>`, written atomically; an `x-amz-checksum-crc32` the client sends is
 *   checked (BadDigest when the bytes differ). Bodies in aws-chunked encoding are refused (NotImplemented).
 * - HeadBucket: `HEAD /<bucket>`.
 * Anything else answers NotImplemented (501). Errors are S3's XML `<Error><Code>…</Code>…</Error>`
 * (no body for HEAD). Signatures are not checked. ETags are made from the object's size and time, not
 * from its bytes: they change when an object is rewritten, which is what clients use them for.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { NoSuchBucketError, type FolderObjectStore, type ObjectInfo } from '../s3/object-store';
import { isBucketName } from '../s3/s3-url';
import type { ProtocolHandler } from './server';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_KEYS = 1000;
/** One PUT at the most: S3's own limit for a single PutObject is 5 GB. */
const MAX_PUT_BYTES = 5 * 1024 ** 3;

export class S3Error extends Error {
  constructor(readonly code: string, readonly httpStatus: number, message: string, readonly resource?: string) {
    super(message);
    this.name = code;
  }
}

const notImplemented = (what: string) => new S3Error('NotImplemented', 501, `The emulator's S3 API does not implement ${what}.`);

/**
 * S3 requests: no x-amz-target (every awsJson request has one) and a path below `/` (the Data API and the
 * Redshift control plane both POST to `/` itself).
 */
export function isS3Request(request: IncomingMessage): boolean {
  const pathname = (request.url ?? '/').split('?')[0];
  return request.headers['x-amz-target'] === undefined && pathname !== '/' && pathname !== '';
}

export function s3Protocol(store: FolderObjectStore): ProtocolHandler {
  return { accepts: isS3Request, handle: (request, response) => handleS3(store, request, response) };
}

async function handleS3(store: FolderObjectStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  // Not new URL(): it would resolve `..` segments, and a key must be refused, not rewritten.
  const [pathname, query = ''] = (request.url ?? '/').split(/\?(.*)/s);
  const url = { searchParams: new URLSearchParams(query) };
  let bucket = '';
  let key = '';
  try {
    const slash = pathname.indexOf('/', 1);
    bucket = decodeURIComponent(slash < 0 ? pathname.slice(1) : pathname.slice(1, slash));
    key = slash < 0 ? '' : decodeURIComponent(pathname.slice(slash + 1));
    if (!isBucketName(bucket)) throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', bucket);
    const method = request.method ?? 'GET';
    if (key === '') {
      if (method === 'GET' && url.searchParams.get('list-type') === '2') return await listObjects(store, bucket, url.searchParams, response, requestId);
      if (method === 'HEAD') return await headBucket(store, bucket, response, requestId);
      throw notImplemented(`${method} on a bucket other than ListObjectsV2 (list-type=2) and HeadBucket`);
    }
    if (method === 'GET' || method === 'HEAD') return await getObject(store, bucket, key, method === 'HEAD', request, response, requestId);
    if (method === 'PUT') return await putObject(store, bucket, key, request, response, requestId);
    throw notImplemented(`${method} on an object`);
  } catch (error) {
    const failure = asS3Error(error, bucket, key);
    if (failure.httpStatus >= 500 && failure.code !== 'NotImplemented') console.error(`S3 request ${requestId} failed unexpectedly:`, error);
    // Drain what the client still sends, so it reads the error instead of a reset connection.
    request.resume();
    if (request.method === 'HEAD') {
      response.writeHead(failure.httpStatus, { 'x-amz-request-id': requestId });
      response.end();
      return;
    }
    sendXml(response, failure.httpStatus, requestId, group('Error', [
      element('Code', failure.code),
      element('Message', failure.message),
      failure.resource === undefined ? '' : element(failure.code === 'NoSuchKey' ? 'Key' : 'Resource', failure.resource),
      element('RequestId', requestId),
    ]));
  }
}

function asS3Error(error: unknown, bucket: string, key: string): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof NoSuchBucketError) return new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', bucket);
  const message = error instanceof Error ? error.message : String(error);
  // FolderObjectStore's key checks (a `..` segment, an empty one): the key cannot be a file's path.
  if (/^Invalid object key/.test(message)) return new S3Error('InvalidArgument', 400, message, key);
  return new S3Error('InternalError', 500, message);
}

async function headBucket(store: FolderObjectStore, bucket: string, response: ServerResponse, requestId: string): Promise<void> {
  // Listing nothing still fails for a bucket that does not exist.
  for await (const _ of store.list(bucket, '', '\uffff')) break;
  response.writeHead(200, { 'x-amz-request-id': requestId, 'x-amz-bucket-region': 'us-west-2' });
  response.end();
}

async function listObjects(store: FolderObjectStore, bucket: string, params: URLSearchParams, response: ServerResponse, requestId: string): Promise<void> {
  if (params.has('delimiter')) throw notImplemented('ListObjectsV2 with a delimiter');
  const prefix = params.get('prefix') ?? '';
  const maxKeys = params.has('max-keys') ? Number(params.get('max-keys')) : MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error('InvalidArgument', 400, 'max-keys must be a non-negative whole number');
  const encodeUrl = params.get('encoding-type') === 'url';
  const token = params.get('continuation-token');
  let after = params.get('start-after') ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:')) throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect');
    after = decoded.slice(2);
  }

  const contents: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for await (const object of store.list(bucket, prefix, after)) {
    if (contents.length === Math.min(maxKeys, MAX_KEYS)) {
      truncated = true;
      break;
    }
    const info = await store.head(bucket, object.key);
    if (info === undefined) continue; // deleted since it was listed
    last = object.key;
    contents.push(group('Contents', [
      element('Key', encodeUrl ? encodeURIComponent(object.key) : object.key),
      element('LastModified', info.lastModified.toISOString()),
      element('ETag', etagOf(info)),
      element('Size', String(info.size)),
      element('StorageClass', 'STANDARD'),
    ]));
  }
  const shown = (value: string) => (encodeUrl ? encodeURIComponent(value) : value);
  sendXml(response, 200, requestId, `<ListBucketResult xmlns="${XMLNS}">${[
    element('Name', bucket),
    element('Prefix', shown(prefix)),
    params.has('start-after') ? element('StartAfter', shown(params.get('start-after')!)) : '',
    token === null ? '' : element('ContinuationToken', token),
    truncated ? element('NextContinuationToken', Buffer.from(`k:${last}`).toString('base64url')) : '',
    element('KeyCount', String(contents.length)),
    element('MaxKeys', String(maxKeys)),
    encodeUrl ? element('EncodingType', 'url') : '',
    element('IsTruncated', String(truncated)),
    ...contents,
  ].join('')}</ListBucketResult>`);
}

async function getObject(
  store: FolderObjectStore, bucket: string, key: string, headOnly: boolean, request: IncomingMessage, response: ServerResponse, requestId: string,
): Promise<void> {
  if (request.headers.range !== undefined) throw notImplemented('ranged GetObject (Range)');
  const info = await store.head(bucket, key);
  if (info === undefined) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', key);
  const headers = {
    'content-type': 'application/octet-stream',
    'content-length': String(info.size),
    'last-modified': info.lastModified.toUTCString(),
    etag: etagOf(info),
    'accept-ranges': 'bytes',
    'x-amz-request-id': requestId,
  };
  if (headOnly) {
    response.writeHead(200, headers);
    response.end();
    return;
  }
  const body = store.open(bucket, key);
  await new Promise<void>((resolve, reject) => {
    body.once('open', () => {
      response.writeHead(200, headers);
      body.pipe(response);
    });
    body.once('error', (error) => (response.headersSent ? response.destroy(error) : reject(error)));
    response.once('close', () => {
      body.destroy();
      resolve();
    });
  });
}

async function putObject(store: FolderObjectStore, bucket: string, key: string, request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
  if (request.headers['x-amz-copy-source'] !== undefined) throw notImplemented('CopyObject');
  const encoding = String(request.headers['content-encoding'] ?? '');
  if (encoding.includes('aws-chunked') || String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
    throw notImplemented('PutObject with an aws-chunked body (send a body of known length)');
  }
  const expectedCrc = request.headers['x-amz-checksum-crc32'];
  const counter = new BodyCheck(MAX_PUT_BYTES);
  // pipe() does not pass on the request's own end: a client gone mid-body must fail the write.
  request.once('error', (error) => counter.destroy(error));
  request.once('close', () => {
    if (!request.complete) counter.destroy(new S3Error('IncompleteBody', 400, 'The request body ended before its Content-Length.'));
  });
  const info = await store.put(bucket, key, request.pipe(counter), {
    beforeCommit: () => {
      // Bytes other than those the client sent: refused whole, as S3 does; the old object stays.
      if (typeof expectedCrc === 'string' && expectedCrc !== counter.crc32Base64()) {
        throw new S3Error('BadDigest', 400, `The CRC32 you specified did not match the calculated checksum (${counter.crc32Base64()}).`);
      }
    },
  });
  const actualCrc = counter.crc32Base64();
  response.writeHead(200, {
    etag: etagOf(info),
    'x-amz-request-id': requestId,
    ...(typeof expectedCrc === 'string' ? { 'x-amz-checksum-crc32': actualCrc } : {}),
  });
  response.end();
}

/** Passes a request body through, counting its CRC32 and refusing one past the size limit. */
class BodyCheck extends Transform {
  private crc = 0;
  private size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new S3Error('EntityTooLarge', 400, `Your proposed upload exceeds the maximum allowed size (${this.maxBytes} bytes).`));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  crc32Base64(): string {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(this.crc >>> 0);
    return bytes.toString('base64');
  }
}

function etagOf(info: ObjectInfo): string {
  return `"${createHash('md5').update(`${info.size}:${info.lastModified.getTime()}`).digest('hex')}"`;
}

function sendXml(response: ServerResponse, status: number, requestId: string, body: string): void {
  const payload = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(payload), 'x-amz-request-id': requestId });
  response.end(payload);
}

/** An element holding text (escaped here). */
function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** An element holding other elements, already XML. */
function group(name: string, children: readonly string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
