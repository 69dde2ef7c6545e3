import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FolderObjectStore, type StoredObject } from '../../../src/offline/s3/object-store';

async function listAll(store: FolderObjectStore, bucket: string, prefix: string): Promise<StoredObject[]> {
  const found: StoredObject[] = [];
  for await (const object of store.list(bucket, prefix)) found.push(object);
  return found;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

describe('FolderObjectStore', () => {
  let root: string;
  let store: FolderObjectStore;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'object-store-'));
    const files: Record<string, string> = {
      'bkt/data/x': '1', 'bkt/data/x.1': '22', 'bkt/data/x_1/z': '3', 'bkt/data/xa/deep/y.json': '4',
      'bkt/data/y-b': '5', 'bkt/data/y.c': '6', 'bkt/data/y/deep/k': '7', 'bkt/data/other': '8', 'bkt/top.json': '9',
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), content);
    }
    const mounted = path.join(root, 'elsewhere');
    await mkdir(mounted, { recursive: true });
    await writeFile(path.join(mounted, 'm.json'), 'mounted');
    store = new FolderObjectStore({ root, buckets: { 'my-bucket': mounted } });
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists every key that starts with the prefix, nested folders included, in S3 key order', async () => {
    expect((await listAll(store, 'bkt', 'data/x')).map((o) => o.key)).toEqual(['data/x', 'data/x.1', 'data/x_1/z', 'data/xa/deep/y.json']);
    // A folder's keys carry '/', which sorts after '-' and '.'.
    expect((await listAll(store, 'bkt', 'data/y')).map((o) => o.key)).toEqual(['data/y-b', 'data/y.c', 'data/y/deep/k']);
    expect((await listAll(store, 'bkt', 'data/y/')).map((o) => o.key)).toEqual(['data/y/deep/k']);
  });

  it('reports sizes and the bucket, and lists a whole bucket with an empty prefix', async () => {
    const all = await listAll(store, 'bkt', '');
    expect(all).toHaveLength(9);
    expect(all.map((o) => o.key)).toEqual([...all.map((o) => o.key)].sort());
    expect(all.find((o) => o.key === 'data/x.1')).toEqual({ bucket: 'bkt', key: 'data/x.1', size: 2 });
  });

  it('lists a bucket of many small files in key order, with their sizes, from any StartAfter', async () => {
    // More files and folders per level than are read ahead, folders beside files, as song_data is laid out.
    const expected: StoredObject[] = [];
    for (const a of ['A', 'B', 'C']) {
      for (let b = 0; b < 40; b++) {
        const folder = `songs/${a}/${String(b).padStart(2, '0')}`;
        await mkdir(path.join(root, 'many', folder), { recursive: true });
        for (const file of ['t1.json', 't2.json']) {
          const content = `${a}${b}${file}`.repeat(b + 1);
          await writeFile(path.join(root, 'many', folder, file), content);
          expected.push({ bucket: 'many', key: `${folder}/${file}`, size: content.length });
        }
      }
      await writeFile(path.join(root, 'many', 'songs', `${a}.json`), a);
      expected.push({ bucket: 'many', key: `songs/${a}.json`, size: 1 });
    }
    expected.sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(await listAll(store, 'many', 'songs/')).toEqual(expected);
    for (const after of ['songs/B/17/t1.json', 'songs/B/17', 'songs/B.json', 'songs/C/39/t2.json']) {
      const found: StoredObject[] = [];
      for await (const object of store.list('many', 'songs/', after)) found.push(object);
      expect(found).toEqual(expected.filter((o) => o.key > after));
    }
  });

  it('lists nothing for a prefix that matches no key', async () => {
    expect(await listAll(store, 'bkt', 'data/nothing')).toEqual([]);
  });

  it('mounts a folder as a bucket and opens objects as streams', async () => {
    expect((await listAll(store, 'my-bucket', 'm')).map((o) => o.key)).toEqual(['m.json']);
    expect(await readAll(store.open('my-bucket', 'm.json'))).toBe('mounted');
    expect(await readAll(store.open('bkt', 'data/xa/deep/y.json'))).toBe('4');
  });

  it('refuses unknown buckets and keys that climb out of the bucket', async () => {
    await expect(listAll(store, 'missing-bucket', '')).rejects.toThrow("The specified bucket 'missing-bucket' does not exist");
    expect(() => store.open('bkt', '../bkt/top.json')).toThrow("Invalid object key '../bkt/top.json'");
    await expect(listAll(store, 'bkt', 'data/../..')).rejects.toThrow('Invalid object key');
  });
});
