/**
 * A parse worker: converts segments of COPY input (see segments.ts) on its own thread and sends back
 * the COPY text as bytes it gives away, not copies. Protocol: SegmentTask in, SegmentReply out.
 */
import { parentPort } from 'node:worker_threads';
import { RecordConverter, type ConversionSpec } from './record-converter';
import { convertSegment, type SegmentOutcome } from './segments';
import type { ScanStart } from './record-scanner';

export interface SegmentTask {
  id: number;
  /** The same text for the same COPY: the worker builds its converter once per spec. */
  specKey: string;
  spec: ConversionSpec;
  maxRecordBytes: number;
  bytes: Uint8Array;
  start: ScanStart;
  last: boolean;
}

export type SegmentReply =
  | { id: number; ok: true; text: Uint8Array; rejections: SegmentOutcome['rejections']; end: SegmentOutcome['end'] }
  | { id: number; ok: false; message: string };

/** Converters of the latest COPYs; a few, as COPYs on other sessions may interleave. */
const converters = new Map<string, RecordConverter>();
const KEPT_CONVERTERS = 8;

function converterFor(task: SegmentTask): RecordConverter {
  let converter = converters.get(task.specKey);
  if (!converter) {
    converter = new RecordConverter(task.spec);
    converters.set(task.specKey, converter);
    if (converters.size > KEPT_CONVERTERS) converters.delete(converters.keys().next().value!);
  }
  return converter;
}

parentPort!.on('message', (task: SegmentTask) => {
  let reply: SegmentReply;
  try {
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    const outcome = convertSegment(bytes, task.start, task.last, converterFor(task), task.maxRecordBytes);
    reply = { id: task.id, ok: true, text: outcome.text, rejections: outcome.rejections, end: outcome.end };
  } catch (error) {
    reply = { id: task.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply, reply.ok ? [reply.text.buffer as ArrayBuffer] : []);
});
