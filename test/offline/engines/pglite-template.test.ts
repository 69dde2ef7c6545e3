/**
 * A new PGlite data directory is a copy of a template made once by initdb, and it works as one made by
 * initdb; a directory that already holds data is left alone.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgliteEngine } from '../../../src/offline/engines/pglite';
import { seedDataDir, templateDir } from '../../../src/offline/engines/pglite-template';

describe('PGlite data directory template', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'pglite-template-'));
  });

  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('fills an empty directory with the template, and the engine starts on it', async () => {
    const dir = path.join(scratch, 'fresh');
    await seedDataDir(dir);
    expect((await readFile(path.join(dir, 'PG_VERSION'), 'utf8')).trim()).toBe((await readFile(path.join(templateDir(), 'PG_VERSION'), 'utf8')).trim());
    const engine = await PgliteEngine.create({ dataDir: dir });
    try {
      const session = await engine.openSession();
      await session.query('CREATE TABLE t (x int)');
      await session.query('INSERT INTO t VALUES (1), (2)');
      expect((await session.query('SELECT sum(x)::int FROM t')).rows).toEqual([[3]]);
      expect((await session.query('SHOW shared_buffers')).rows).toEqual([['16MB']]);
      await session.release();
    } finally {
      await engine.close();
    }
    // The template itself is untouched by what the copy holds.
    const fresh = path.join(scratch, 'second');
    await seedDataDir(fresh);
    const engine2 = await PgliteEngine.create({ dataDir: fresh });
    try {
      const session = await engine2.openSession();
      expect((await session.query("SELECT to_regclass('t') IS NULL")).rows).toEqual([[true]]);
      await session.release();
    } finally {
      await engine2.close();
    }
  });

  it('leaves a directory that already holds files alone', async () => {
    await writeFile(path.join(scratch, 'note.txt'), 'not a data directory');
    await seedDataDir(scratch);
    expect((await readdir(scratch)).includes('PG_VERSION')).toBe(false);
  });
});
