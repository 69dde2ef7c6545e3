/**
 * The Data API's wire protocol, awsJson1_1: `POST /` with `x-amz-target: RedshiftData.<Operation>` and
 * a JSON body; JSON answers; errors as `{"__type", "message"}` with the model's HTTP status.
 * Signatures are not checked: any credentials work.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import type { Json } from './input';

const TARGET_PREFIX = 'RedshiftData.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** 40 statements of 100 KB each, plus JSON overhead. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type Operations = Record<string, (input: Json) => Promise<Json>>;

export function createDataApiServer(operations: Operations): Server {
  return createServer((request, response) => {
    void handle(operations, request, response);
  });
}

async function handle(operations: Operations, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  try {
    const operationName = operationOf(request);
    const operation = Object.hasOwn(operations, operationName) ? operations[operationName] : undefined;
    if (!operation) {
      throw new ApiError('UnknownOperationException', 400, `The Redshift Data API emulator does not support the operation "${operationName}".`);
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

function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || request.url?.split('?')[0] !== '/' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new ApiError(
      'UnknownOperationException',
      400,
      `Expected POST / with header x-amz-target: ${TARGET_PREFIX}<Operation> (got ${request.method} ${request.url}, x-amz-target ${String(target)}).`,
    );
  }
  return target.slice(TARGET_PREFIX.length);
}

async function readJson(request: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError('SerializationException', 413, `Request body larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
