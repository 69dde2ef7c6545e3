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

  it('rejects an object over the size limit without keeping it, and goes on with the next', async () => {
    const big = `{"s":"${'x'.repeat(200)}"}`;
    const items = await scan([big.slice(0, 50), big.slice(50), '\n{"a":1}'], 100);
    expect(items.map((i) => i.kind)).toEqual(['too-large', 'record']);
    const tooLarge = items[0] as Extract<ScanItem, { kind: 'too-large' }>;
    expect(tooLarge.size).toBe(big.length);
    expect(tooLarge.rawText).toBe(big.slice(0, 50));
    expect(tooLarge.lastLine).toBe(1);
  });

  it('reports a file that ends inside an object', async () => {
    expect(summary(await scan(['{"a":1}\n{"a":'])).slice(1)).toEqual([{ kind: 'unterminated', text: '{"a":', line: 2 }]);
  });

  it('yields nothing for an empty or whitespace-only object', async () => {
    expect(await scan([])).toEqual([]);
    expect(await scan([' \n\t\r\n'])).toEqual([]);
  });
});
