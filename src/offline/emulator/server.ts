/**
 * The Data API's wire protocol, awsJson1_1: `POST /` with `x-amz-target: RedshiftData.<Operation>` and
 * a JSON body; JSON answers; errors as `{"__type", "message"}` with the model's HTTP status. The
 * emulator's own control calls use the same protocol with `x-amz-target: SparkifyEmulator.<Operation>`,
 * and so does Redshift Serverless (`RedshiftServerless.<Operation>`). The Redshift control plane's awsQuery
 * requests (form-encoded, no x-amz-target) go to `awsQuery`.
 * Signatures are not checked: any credentials work.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import type { Json } from './input';

const TARGET_PREFIXES = ['RedshiftData.', 'SparkifyEmulator.', 'RedshiftServerless.'];
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** 40 statements of 100 KB each, plus JSON overhead. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Operations by their full x-amz-target, e.g. RedshiftData.ExecuteStatement. */
export type Operations = Record<string, (input: Json) => Promise<Json>>;

/** Answers a request of another protocol on the same endpoint. */
export interface ProtocolHandler {
  accepts(request: IncomingMessage): boolean;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

export function createDataApiServer(operations: Operations, ...protocols: ProtocolHandler[]): Server {
  return createServer((request, response) => {
    const other = protocols.find((protocol) => protocol.accepts(request));
    void (other ? other.handle(request, response) : handle(operations, request, response));
  });
}

async function handle(operations: Operations, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  try {
    const target = targetOf(request);
    const operation = Object.hasOwn(operations, target) ? operations[target] : undefined;
    if (!operation) {
      throw new ApiError('UnknownOperationException', 400, `The Redshift Data API emulator does not support the operation "${target}".`);
    }
    const input = await readJson(request);
    send(response, requestId, 200, await operation(input));
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(`Data API emulator request ${requestId} failed unexpectedly:`, error);
    const apiError =
      error instanceof ApiError ? error : new ApiError('InternalServerException', 500, error instanceof Error ? error.message : String(error));
    send(response, requestId, apiError.httpStatus, { __type: apiError.type, message: apiError.message, ...apiError.extra }, apiError.type);
  }
}

function targetOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  const isPost = request.method === 'POST' && request.url?.split('?')[0] === '/';
  if (!isPost || typeof target !== 'string' || !TARGET_PREFIXES.some((prefix) => target.startsWith(prefix))) {
    throw new ApiError(
      'UnknownOperationException',
      400,
      `Expected POST / with header x-amz-target: ${TARGET_PREFIXES[0]}<Operation> (got ${request.method} ${request.url}, x-amz-target ${String(target)}).`,
    );
  }
  return target;
}

/** The request body as text; `tooLarge` is thrown once it passes `maxBytes`. */
export async function readBody(request: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(request: IncomingMessage): Promise<Json> {
  const text = await readBody(request, MAX_BODY_BYTES, () => new ApiError('SerializationException', 413, `Request body larger than ${MAX_BODY_BYTES} bytes.`));
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Json;
  } catch {
    throw new ApiError('SerializationException', 400, 'The request body is not a JSON object.');
  }
}

function send(response: ServerResponse, requestId: string, status: number, body: Json, errorType?: string): void {
  // JSON.stringify leaves out members with no value, as AWS does, rather than sending nulls.
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(payload);
}
