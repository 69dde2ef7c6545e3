import { encodeRow, inChunks, COPY_CHUNK_CHARS } from '../../../src/offline/copy/pg-text';

describe('PostgreSQL COPY text encoding', () => {
  it('separates fields with tabs, writes NULL as \\N and escapes what would break a line or field', () => {
    expect(encodeRow(['a', null, ''])).toBe('a\t\\N\t\n');
    expect(encodeRow(['tab\there', 'line\nbreak\r', 'back\\slash', '\\N'])).toBe('tab\\there\tline\\nbreak\\r\tback\\\\slash\t\\\\N\n');
  });

  it('groups lines into chunks of about COPY_CHUNK_CHARS that end on line boundaries', async () => {
    const line = 'x'.repeat(1000) + '\n';
    const chunks: string[] = [];
    for await (const chunk of inChunks(Array.from({ length: 1000 }, () => line))) chunks.push(chunk);
    expect(chunks.join('')).toBe(line.repeat(1000));
    expect(chunks.length).toBe(Math.ceil((1000 * line.length) / (Math.ceil(COPY_CHUNK_CHARS / line.length) * line.length)));
    expect(chunks.every((c) => c.endsWith('\n') && c.length < COPY_CHUNK_CHARS + line.length)).toBe(true);
  });
});
