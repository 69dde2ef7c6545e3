import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PgliteEngine } from '../../../src/offline/engines/pglite';

describe('PGlite cancel', () => {
  test('stops a running query at once; the session goes on with the committed data; the temporary directory goes at close', async () => {
    const engine = await PgliteEngine.create();
    expect(engine.dataDir.startsWith(tmpdir())).toBe(true);

    const session = await engine.openSession();
    await session.query('create table kept (x int)');
    await session.query('insert into kept values (1)');
    await session.query('begin');
    await session.query('insert into kept values (2)');
    const running = expect(session.query('select pg_sleep(30)')).rejects.toMatchObject({
      message: 'canceling statement due to user request',
      code: '57014',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = Date.now();
    expect(await session.cancel()).toBe(true);
    await running;
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    // The open transaction went with the stopped worker; what was committed is there.
    expect((await session.query('select x from kept')).rows).toEqual([[1]]);
    await session.release();
    await engine.close();
    expect(existsSync(engine.dataDir)).toBe(false);
  });
});
