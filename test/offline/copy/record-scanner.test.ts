import { gzipSync } from 'node:zlib';
import { findJsonSyntaxError, positionIn } from '../../../src/offline/copy/json-syntax';
import { RAW_TEXT_LIMIT } from '../../../src/offline/copy/load-errors';
import { scanRecords, type ScanItem } from '../../../src/offline/copy/record-scanner';

async function scan(chunks: (string | Buffer)[], maxRecordBytes?: number): Promise<ScanItem[]> {
  const items: ScanItem[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const item of scanRecords(source(), maxRecordBytes)) items.push(item);
  return items;
}

function summary(items: ScanItem[]) {
  return items.map((item) =>
    item.kind === 'record' ? { kind: item.kind, text: item.bytes.toString(), line: item.lastLine } : { kind: item.kind, text: item.rawText, line: item.lastLine },
  );
}

describe('scanRecords', () => {
  it('splits one object per line and reports each record on its line', async () => {
    const items = await scan(['{"a":1}\n{"a":2}\n', '{"a":3}']);
    expect(summary(items)).toEqual([
      { kind: 'record', text: '{"a":1}', line: 1 },
      { kind: 'record', text: '{"a":2}', line: 2 },
      { kind: 'record', text: '{"a":3}', line: 3 },
    ]);
  });

  it('finds several objects on one line and pretty-printed objects, with the last line of each', async () => {
    const text = '{"a":1} {"a":2}{"a":3}\n{\n  "b": {"c": [1, 2]},\n  "d": "}{"\n}\n\n[1,2]';
    expect(summary(await scan([text]))).toEqual([
      { kind: 'record', text: '{"a":1}', line: 1 },
      { kind: 'record', text: '{"a":2}', line: 1 },
      { kind: 'record', text: '{"a":3}', line: 1 },
      { kind: 'record', text: '{\n  "b": {"c": [1, 2]},\n  "d": "}{"\n}', line: 5 },
      { kind: 'record', text: '[1,2]', line: 7 },
    ]);
  });

  it('keeps braces and escaped quotes inside strings out of the nesting count, across chunk boundaries', async () => {
    const text = '{"s":"a\\"}{\\\\"}\n{"t":"x"}';
    // Feed it one byte at a time: every state must survive a chunk boundary.
    const items = await scan([...Buffer.from(text)].map((b) => Buffer.from([b])));
    expect(summary(items)).toEqual([
      { kind: 'record', text: '{"s":"a\\"}{\\\\"}', line: 1 },
      { kind: 'record', text: '{"t":"x"}', line: 2 },
    ]);
  });

  it('reports each run of junk between records once', async () => {
    const items = await scan(['{"a":1},\n{"a":2} xx {"a":3}\n]']);
    expect(summary(items)).toEqual([
      { kind: 'record', text: '{"a":1}', line: 1 },
      { kind: 'junk', text: ',', line: 1 },
      { kind: 'record', text: '{"a":2}', line: 2 },
      { kind: 'junk', text: 'xx', line: 2 },
      { kind: 'record', text: '{"a":3}', line: 2 },
      { kind: 'junk', text: ']', line: 3 },
    ]);
  });

  it('rejects an object over the size limit keeping only its head, however it arrives, and goes on with the next', async () => {
    const big = `{"s":"${'x'.repeat(2000)}"}`;
    for (const chunks of [[big.slice(0, 50), big.slice(50), '\n{"a":1}'], [`${big}\n{"a":1}`]]) {
      const items = await scan(chunks, 100);
      expect(items.map((i) => i.kind)).toEqual(['too-large', 'record']);
      const tooLarge = items[0] as Extract<ScanItem, { kind: 'too-large' }>;
      expect(tooLarge.size).toBe(big.length);
      expect(tooLarge.rawText).toBe(big.slice(0, RAW_TEXT_LIMIT));
      expect(tooLarge.lastLine).toBe(1);
    }
  });

  it('reports a file that ends inside an object', async () => {
    expect(summary(await scan(['{"a":1}\n{"a":'])).slice(1)).toEqual([{ kind: 'unterminated', text: '{"a":', line: 2 }]);
  });

  it('yields nothing for an empty or whitespace-only object', async () => {
    expect(await scan([])).toEqual([]);
    expect(await scan([' \n\t\r\n'])).toEqual([]);
  });

  it('tells where each record starts, for errors JSON.parse finds later', async () => {
    const items = await scan(['{"a":1}  {"b":2}\n  {\n"c":3}']);
    expect(items.map((i) => i.kind === 'record' && [i.firstLine, i.firstColumn, i.lastLine])).toEqual([[1, 1, 1], [1, 10, 1], [2, 3, 3]]);
  });

  it('ends a record at a raw line break inside a string, at that line and column, and resumes at the next line', async () => {
    const text = '{"id":1}\n{"id":2,"name":"broken}\n{"id":3}\n{"id":4}';
    const expected = [
      { kind: 'record', text: '{"id":1}', line: 1 },
      { kind: 'broken-string', text: '{"id":2,"name":"broken}', line: 2, column: 24 },
      { kind: 'record', text: '{"id":3}', line: 3 },
      { kind: 'record', text: '{"id":4}', line: 4 },
    ];
    const withColumns = (items: ScanItem[]) => summary(items).map((s, i) => {
      const item = items[i];
      return item.kind === 'broken-string' ? { ...s, column: item.column } : s;
    });
    expect(withColumns(await scan([text]))).toEqual(expected);
    // One byte at a time: the break and the resumption survive chunk boundaries.
    expect(withColumns(await scan([...Buffer.from(text)].map((b) => Buffer.from([b]))))).toEqual(expected);
  });

  it('counts the column in characters, and the break after an escaped quote or a backslash too', async () => {
    const items = await scan(['{"artist":"Beyoncé","song":"Halo \\"live\\"\n{"artist":"Sigur Rós","title":"x\\\n{"ok":true}\n']);
    expect(items.map((i) => (i.kind === 'broken-string' ? [i.lastLine, i.column] : i.kind))).toEqual([[1, 42], [2, 34], 'record']);
  });

  it('skips the rest of a pretty-printed record broken by a line break, and resumes at the next record', async () => {
    const text = [
      '{', '  "id": 1', '}',
      '{', '  "name": "broken,', '  "tags": [', '    {"t": 1}', '  ]', '}',
      '{', '  "id": 3', '}',
      '  {"a": "also broken', '    {"inner": 1}', '  {"id": 4}',
    ].join('\n');
    expect(summary(await scan([text]))).toEqual([
      { kind: 'record', text: '{\n  "id": 1\n}', line: 3 },
      { kind: 'broken-string', text: '{\n  "name": "broken,', line: 5 },
      { kind: 'record', text: '{\n  "id": 3\n}', line: 12 },
      { kind: 'broken-string', text: '{"a": "also broken', line: 13 },
      { kind: 'record', text: '{"id": 4}', line: 15 },
    ]);
  });

  it('places junk, an over-large object and an unterminated one by line and column', async () => {
    const junk = await scan(['{"a":1}\n  x {"a":2}']);
    expect(junk[1]).toEqual({ kind: 'junk', rawText: 'x', lastLine: 2, column: 3 });
    const big = await scan([`\n {"s":"${'x'.repeat(200)}"\n}`], 100);
    expect(big[0]).toMatchObject({ kind: 'too-large', lastLine: 3, column: 1, firstLine: 2, firstColumn: 2, size: 209 });
    expect((await scan(['{"a":1}\n {"a":\n  2']))[1])
      .toEqual({ kind: 'unterminated', rawText: '{"a":\n  2', lastLine: 3, column: 4, firstLine: 2, firstColumn: 2, inString: false });
    expect((await scan(['{"a":"xé']))[0]).toMatchObject({ kind: 'unterminated', lastLine: 1, column: 9, inString: true });
  });

  it('reports a gzip-compressed stream once and reads no further', async () => {
    const gzipped = gzipSync(Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: i, s: 'x'.repeat(i % 50) })).join('\n'));
    expect(await scan([gzipped])).toEqual([{ kind: 'gzip', rawText: '', lastLine: 1, column: 1 }]);
    expect(await scan([gzipped.subarray(0, 1), gzipped.subarray(1)])).toEqual([{ kind: 'gzip', rawText: '', lastLine: 1, column: 1 }]);
    // The same bytes later in a stream are only junk.
    expect((await scan([Buffer.concat([Buffer.from('{"a":1}'), Buffer.from([0x1f, 0x8b])])]))[1]).toMatchObject({ kind: 'junk', column: 8 });
  });
});

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a":1,}', 7, `expected a double-quoted property name, unexpected character "}"`],
    ['{"a": tru}', 6, 'invalid literal "tru", expected a value'],
    ['{"a" 1}', 5, `expected ':' after a property name, unexpected character "1"`],
    ['{"a":1 "b":2}', 7, `expected ',' or '}' after a property value, unexpected character "\\""`],
    ['[1 2]', 3, `expected ',' or ']' after an array element, unexpected character "2"`],
    ['{"a":"x\ty"}', 7, 'a control character (U+0009) must be escaped in a string'],
    ['{"a":"\\q"}', 6, 'invalid escape "\\\\q" in a string'],
    ['{"a":"\\u12"}', 6, 'invalid \\u escape in a string: it needs four hex digits'],
    ['{"a":01}', 6, 'invalid number'],
    ['{"a":-}', 5, 'invalid number'],
    ['{"a":}', 5, 'expected a value, unexpected character "}"'],
    ['{"a":', 5, 'expected a value, the record ends'],
    ['{"a":1}}', 7, 'only whitespace may follow the record, unexpected character "}"'],
  ])('%s: at %d, %s', (text, offset, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ offset, reason });
  });

  it('finds nothing wrong in valid JSON', () => {
    expect(findJsonSyntaxError('{"a": [1, -2.5e3, true, null, {"b": "\\u00e9\\n"}], "c": ""}')).toBeNull();
  });

  it('turns an offset into a line and a character column, from where the record starts', () => {
    const text = '{"é": 1,\n  "b": x}';
    expect(positionIn(text, 4, 7, 3)).toEqual({ line: 7, column: 7 });
    expect(positionIn(text, text.indexOf('x'), 7, 3)).toEqual({ line: 8, column: 8 });
  });
});
