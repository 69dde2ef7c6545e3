import { withEngineSession, type Engine, type EngineSession } from '../../../src/offline/engines';
import { createTestEngine, ENGINE_KINDS } from '../../support/engines';

async function* lines(count: number, linesPerChunk: number): AsyncIterable<string> {
  for (let start = 1; start <= count; start += linesPerChunk) {
    let chunk = '';
    for (let n = start; n < Math.min(start + linesPerChunk, count + 1); n++) chunk += `${n}\tname ${n}\n`;
    yield chunk;
  }
}

describe.each(ENGINE_KINDS)('%s engine', (kind) => {
  let engine: Engine;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ engine, dispose } = await createTestEngine(kind));
  });
  afterAll(() => dispose());

  const withSession = <T>(work: (session: EngineSession) => Promise<T>) => withEngineSession(engine, work);

  test('normalises cells the same way on both engines', async () => {
    const outcome = await withSession((session) =>
      session.query(
        `select 1::int2 as small, 2::int4 as medium, 9007199254740991::int8 as big, 1.5::float4 as real4,
                2.25::float8 as double8, 12.30::numeric(10,2) as amount, true as yes, 'x'::varchar(20) as label,
                timestamp '2018-11-01 21:01:46.796' as played_at, date '2018-11-01' as day, null::int4 as nothing,
                '\\x6162'::bytea as raw`,
      ),
    );
    expect(outcome.command).toBe('SELECT');
    expect(outcome.rowCount).toBe(1);
    expect(outcome.rows).toEqual([
      [1, 2, 9007199254740991, 1.5, 2.25, '12.30', true, 'x', '2018-11-01 21:01:46.796', '2018-11-01', null, Uint8Array.from([0x61, 0x62])],
    ]);
    expect(outcome.fields.map((field) => field.typeName)).toEqual([
      'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'varchar', 'timestamp', 'date', 'int4', 'bytea',
    ]);
  });

  test('sessions run in UTC with ISO dates and the system schema on the search path', async () => {
    const outcome = await withSession((session) =>
      session.query(`select current_setting('TimeZone'), current_setting('DateStyle'), current_setting('search_path'),
                            (timestamptz '2020-01-01 00:00:00+02')::text`),
    );
    expect(outcome.rows[0]).toEqual(['UTC', 'ISO, MDY', '"$user", public, redshift_system', '2019-12-31 22:00:00+00']);
  });

  test('reports rows affected and names the table a column comes from', async () => {
    await withSession(async (session) => {
      await session.query('create table engine_people (id int4 not null, name varchar(30), score numeric(8,3))');
      const inserted = await session.query('insert into engine_people values ($1, $2, $3), (2, $2, null)', ['1', 'ann', '3.5']);
      expect(inserted).toMatchObject({ command: 'INSERT', rowCount: 2, fields: [], rows: [] });
      const selected = await session.query('select id, name, score from engine_people order by id');
      expect(selected.rows).toEqual([[1, 'ann', '3.500'], [2, 'ann', null]]);
      if (kind === 'postgres') {
        // Only the server's row description carries table ids and type modifiers.
        expect(selected.fields[1]).toEqual({ name: 'name', typeName: 'varchar', tableName: 'engine_people', schemaName: 'public', length: 30 });
        expect(selected.fields[2]).toMatchObject({ typeName: 'numeric', precision: 8, scale: 3 });
      }
    });
  });

  test('copyFrom bulk-loads chunked text and counts the rows', async () => {
    await withSession(async (session) => {
      await session.query('create table engine_copy (id int4, name varchar(40))');
      const loaded = await session.copyFrom('COPY engine_copy (id, name) FROM STDIN', lines(25_000, 1_000));
      expect(loaded).toBe(25_000);
      const outcome = await session.query('select count(*), sum(id), max(name) from engine_copy');
      expect(outcome.rows).toEqual([[25_000, 312_512_500, 'name 9999']]);
    });
  });

  test('a released session leaves no temp table, setting or open transaction behind', async () => {
    await withSession(async (session) => {
      await session.query('create temp table scratch (x int)');
      await session.query("set search_path to pg_catalog");
      await session.query('begin');
      await session.query('create table public.engine_uncommitted (x int)');
    });
    const outcome = await withSession((session) =>
      session.query(`select to_regclass('pg_temp.scratch') is null, to_regclass('public.engine_uncommitted') is null, current_setting('search_path')`),
    );
    expect(outcome.rows[0]).toEqual([true, true, '"$user", public, redshift_system']);
  });

  test('a failed statement rejects with the engine message', async () => {
    await withSession(async (session) => {
      await expect(session.query('select 1/0')).rejects.toThrow('division by zero');
      await expect(session.query('select * from engine_missing')).rejects.toThrow('relation "engine_missing" does not exist');
    });
  });

  if (kind === 'pglite') {
    test('sessions take turns on the single connection', async () => {
      const order: string[] = [];
      const first = await engine.openSession();
      const secondOpened = engine.openSession().then((session) => {
        order.push('second opened');
        return session;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('first releasing');
      await first.release();
      const second = await secondOpened;
      await second.release();
      expect(order).toEqual(['first releasing', 'second opened']);
      expect(await first.cancel()).toBe(false);
    });
  } else {
    test('sessions run concurrently on their own connections', async () => {
      const [one, two] = [await engine.openSession(), await engine.openSession()];
      try {
        expect(one.pid).not.toBe(two.pid);
        const sleeping = one.query('select pg_sleep(1)');
        await new Promise((resolve) => setTimeout(resolve, 100));
        // Session two answers while session one's statement is still running on the server.
        const activity = await two.query(`select state, query from pg_stat_activity where pid = $1`, [one.pid]);
        expect(activity.rows).toEqual([['active', 'select pg_sleep(1)']]);
        await sleeping;
      } finally {
        await one.release();
        await two.release();
      }
    });

    test('cancel stops a running statement', async () => {
      await withSession(async (session) => {
        const stopped = expect(session.query('select pg_sleep(30)')).rejects.toThrow('canceling statement due to user request');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await session.cancel()).toBe(true);
        await stopped;
      });
    });
  }
});
