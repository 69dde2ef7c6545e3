import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, withEngineSession, type Engine } from '../../../src/offline/engines';
import { processStartId } from '../../../src/offline/engines/data-dir-lock';

const queryOnce = (engine: Engine, sql: string) => withEngineSession(engine, (session) => session.query(sql));

describe('createEngine', () => {
  test('refuses options that belong to the other engine, and unknown engines', async () => {
    await expect(createEngine({ kind: 'postgres' })).rejects.toThrow('The postgres engine needs a database URL');
    await expect(createEngine({ kind: 'pglite', databaseUrl: 'postgres://127.0.0.1/dev' })).rejects.toThrow('A database URL is for the postgres engine');
    await expect(createEngine({ kind: 'postgres', databaseUrl: 'postgres://127.0.0.1/dev', dataDir: '/tmp/x' })).rejects.toThrow(
      'A data directory is for the pglite engine',
    );
    await expect(createEngine({ kind: 'mysql' as never })).rejects.toThrow('Unknown engine "mysql": expected pglite or postgres.');
  });

  test('a PGlite data directory, created if missing, keeps the warehouse between runs, one engine at a time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sparkify-pglite-'));
    const dataDir = join(root, 'not', 'yet', 'there');
    try {
      const first = await createEngine({ kind: 'pglite', dataDir });
      await queryOnce(first, 'create table kept (x int)');
      await queryOnce(first, 'insert into kept values (1), (2)');
      // A second engine on an open directory would lose one of the two engines' writes: refused.
      await expect(createEngine({ kind: 'pglite', dataDir })).rejects.toThrow(
        `The PGlite warehouse in ${dataDir} is already open in process ${process.pid} (this one).`,
      );
      await first.close();

      // A lock left by a process that has ended (killed before it could close) is taken over.
      await writeFile(`${dataDir}.lock`, `${spawnSync('true').pid}\n`);
      const second = await createEngine({ kind: 'pglite', dataDir });
      try {
        expect((await queryOnce(second, 'select count(*) from kept')).rows).toEqual([[2]]);
      } finally {
        await second.close();
      }

      // So is one whose process id now belongs to another process: this one is running, but it did not
      // start when the lock says its owner did (the id was reused).
      const startId = processStartId(process.pid);
      expect(startId).toMatch(/\S/);
      await writeFile(`${dataDir}.lock`, `${process.pid} ${startId}0\n`);
      const third = await createEngine({ kind: 'pglite', dataDir });
      try {
        expect((await queryOnce(third, 'select count(*) from kept')).rows).toEqual([[2]]);
      } finally {
        await third.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 180_000);
});
