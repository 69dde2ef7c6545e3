/**
 * COPY end to end: the real SDK client over HTTP to the emulator, on both engines, with objects in a
 * temporary folder standing for S3 and, where it is present, the real Sparkify sample mounted as its bucket.
 */
import { DescribeStatementCommand } from '@aws-sdk/client-redshift-data';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ENGINE_KINDS, runSql, startTestEmulator, type SqlRun, type TestEmulator } from '../../support/engines';
import { SAMPLE, testWithSample } from '../../support/sample';
const BUCKET = 'fixtures';

describe.each(ENGINE_KINDS)('COPY from S3 JSON over the Data API (%s)', (kind) => {
  let root: string;
  let emulator: TestEmulator;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'copy-s3-'));
    await mkdir(path.join(root, BUCKET));
    emulator = await startTestEmulator(kind, { s3Root: root, buckets: { 'udacity-dend': SAMPLE } });
  });

  afterAll(async () => {
    await emulator?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function put(key: string, content: string | Buffer): Promise<void> {
    const file = path.join(root, BUCKET, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  const run = (sql: string): Promise<SqlRun> => runSql(emulator.client, sql);

  async function ok(sql: string): Promise<SqlRun> {
    const result = await run(sql);
    if (result.status !== 'FINISHED') throw new Error(`${sql} → ${result.status}: ${result.error}`);
    return result;
  }

  async function rows(sql: string) {
    return (await ok(sql)).rows;
  }

  testWithSample('loads the 8056 sample events with the jsonpaths file and epoch milliseconds', async () => {
    await ok(`CREATE TABLE staging_events (
      artist varchar(256), auth varchar(32), firstname varchar(64), gender varchar(1), iteminsession integer,
      lastname varchar(64), length double precision, level varchar(8), location varchar(256), method varchar(8),
      page varchar(32), registration double precision, sessionid integer, song varchar(256), status integer,
      ts timestamp, useragent varchar(256), userid integer)`);
    const copy = await ok(`COPY staging_events FROM 's3://udacity-dend/log_data'
      IAM_ROLE 'arn:aws:iam::123456789012:role/sparkify-copy' REGION 'us-west-2'
      FORMAT AS JSON 's3://udacity-dend/log_json_path.json' TIMEFORMAT AS 'epochmillisecs'`);
    expect(copy.resultRows).toBe(8056);
    expect(await rows(`SELECT count(*) AS n, count(userid) AS identified, count(DISTINCT userid) AS users FROM staging_events`))
      .toEqual([{ n: 8056, identified: 8056 - 286, users: 97 }]);
    // The one play the star schema matches, with its millisecond timestamp intact.
    expect(await rows(`SELECT artist, userid, sessionid, length FROM staging_events
      WHERE song = 'Setanta matins' AND ts = '2018-11-21 21:56:47.796'`))
      .toEqual([{ artist: 'Elena', userid: 15, sessionid: 818, length: 269.58322 }]);
    expect(await rows(`SELECT useragent FROM staging_events WHERE userid = 39 AND iteminsession = 0 AND sessionid = 38`))
      .toEqual([{ useragent: '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"' }]);
  });

  testWithSample("loads the 71 sample songs with 'auto'", async () => {
    await ok(`CREATE TABLE staging_songs (
      num_songs integer, artist_id varchar(32), artist_latitude double precision, artist_longitude double precision,
      artist_location varchar(256), artist_name varchar(256), song_id varchar(32), title varchar(256),
      duration double precision, year integer)`);
    const copy = await ok(`COPY staging_songs FROM 's3://udacity-dend/song_data' FORMAT AS JSON 'auto' COMPUPDATE OFF STATUPDATE OFF`);
    expect(copy.resultRows).toBe(71);
    expect(await rows(`SELECT count(*) AS n, sum(CASE WHEN year = 0 THEN 1 ELSE 0 END) AS year_zero,
      count(*) - count(artist_latitude) AS no_latitude, count(DISTINCT artist_id) AS artists FROM staging_songs`))
      .toEqual([{ n: 71, year_zero: 43, no_latitude: 40, artists: 69 }]);
  });

  it('reads several objects per file, pretty-printed objects and nested folders under a key prefix', async () => {
    await put('multi/part-1.json', '{"id": 1, "name": "a"} {"id": 2, "name": "b"}{"id": 3, "name": "c"}\n');
    await put('multi/sub/part-2.json', '{\n  "id": 4,\n  "name": "d"\n}\n{\n  "id": 5,\n  "name": "e",\n  "extra": {"x": [1]}\n}');
    await put('multi-more.json', '{"name": "f", "id": 6}');
    await put('multiple/no.json', '{"id": 99}'); // does start with the prefix: loaded, as S3 would
    await put('other/no.json', '{"id": 100}');
    await ok('CREATE TABLE multi (id integer, name varchar(10))');
    const copy = await ok(`COPY multi FROM 's3://${BUCKET}/multi' FORMAT JSON 'auto'`);
    expect(copy.resultRows).toBe(7);
    expect((await rows('SELECT id, name FROM multi ORDER BY id')).map((r) => `${r.id}${r.name ?? ''}`))
      .toEqual(['1a', '2b', '3c', '4d', '5e', '6f', '99']);
  });

  it('loads a #name temporary table within one Sql text', async () => {
    await put('temp/rows.json', '{"id": 1} {"id": 2}');
    const result = await ok(`CREATE TABLE #stage (id integer); COPY #stage FROM 's3://${BUCKET}/temp/' FORMAT JSON 'auto'; SELECT sum(id) AS total FROM #stage`);
    expect(result.rows).toEqual([{ total: 3 }]);
  });

  it('generates IDENTITY values; only a GENERATED BY DEFAULT identity column may be named and given values', async () => {
    await put('ids/rows.json', '{"id": 10, "name": "a"} {"id": 20, "name": "b"}');
    await ok('CREATE TABLE ids_always (id bigint IDENTITY(1, 1), name varchar(4))');
    await ok('CREATE TABLE ids_by_default (id bigint GENERATED BY DEFAULT AS IDENTITY(1, 1), name varchar(4))');
    await ok(`COPY ids_always FROM 's3://${BUCKET}/ids/' FORMAT JSON 'auto'`);
    expect(await rows('SELECT id, name FROM ids_always ORDER BY name')).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    expect((await run(`COPY ids_always (id, name) FROM 's3://${BUCKET}/ids/' FORMAT JSON 'auto'`)).error)
      .toBe('ERROR: cannot set an identity column to a value');
    await ok(`COPY ids_by_default (id, name) FROM 's3://${BUCKET}/ids/' FORMAT JSON 'auto'`);
    expect(await rows('SELECT id, name FROM ids_by_default ORDER BY name')).toEqual([{ id: 10, name: 'a' }, { id: 20, name: 'b' }]);
  });

  it('updates statistics after loading an empty table, as STATUPDATE does by default, and not under STATUPDATE OFF', async () => {
    await put('stats/rows.json', Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i })).join('\n'));
    const reltuples = async (table: string) =>
      (await rows(`SELECT reltuples::int AS n FROM pg_class WHERE relname = '${table}'`))[0].n;
    await ok('CREATE TABLE stats_default (id integer)');
    await ok('CREATE TABLE stats_off (id integer)');
    await ok(`COPY stats_default FROM 's3://${BUCKET}/stats/' FORMAT AS JSON 'auto'`);
    await ok(`COPY stats_off FROM 's3://${BUCKET}/stats/' FORMAT AS JSON 'auto' STATUPDATE OFF`);
    expect(await reltuples('stats_default')).toBe(300);
    // PostgreSQL's -1: never analyzed.
    expect(await reltuples('stats_off')).toBe(-1);
  });

  it('fails on a missing prefix with Redshift\'s message', async () => {
    await ok('CREATE TABLE nothing_here (id integer)');
    const copy = await run(`COPY nothing_here FROM 's3://${BUCKET}/no/such/prefix' FORMAT AS JSON 'auto'`);
    expect(copy.status).toBe('FAILED');
    expect(copy.error).toBe("ERROR: The specified S3 prefix 'no/such/prefix' does not exist");
    const noBucket = await run(`COPY nothing_here FROM 's3://no-such-bucket/x' FORMAT AS JSON 'auto'`);
    expect(noBucket.error).toBe('ERROR: S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,Bucket no-such-bucket');
  });

  const BAD_FILE = [
    '{"id": 1, "name": "ok"}',
    '{"id": "2x", "name": "bad"}',
    '{"id": 3,',
    ' "name": "much too long"}',
    ', {"id": 4, "name": "fine"}',
  ].join('\n');

  it('loads good records under MAXERROR and records each bad one in both error tables', async () => {
    await put('under/events.json', BAD_FILE);
    await ok('CREATE TABLE under_limit (id integer, name varchar(8))');
    const copy = await ok(`COPY under_limit FROM 's3://${BUCKET}/under/' FORMAT AS JSON 'auto' MAXERROR 3`);
    expect(copy.resultRows).toBe(2);
    expect(await rows('SELECT id, name FROM under_limit ORDER BY id')).toEqual([{ id: 1, name: 'ok' }, { id: 4, name: 'fine' }]);

    const { RedshiftQueryId } = await emulator.client.send(new DescribeStatementCommand({ Id: copy.id }));
    const file = `s3://${BUCKET}/under/events.json`;
    expect(await rows(`SELECT query_id, file_name, line_number, column_name, column_type, column_length, position,
        error_code, error_message FROM sys_load_error_detail WHERE file_name = '${file}' ORDER BY line_number`)).toEqual([
      { query_id: RedshiftQueryId, file_name: file, line_number: 2, column_name: 'id', column_type: 'int4', column_length: '', position: 1,
        error_code: 1207, error_message: "Invalid digit, Value 'x', Pos 1, Type: Integer" },
      { query_id: RedshiftQueryId, file_name: file, line_number: 4, column_name: 'name', column_type: 'varchar', column_length: '8', position: 8,
        error_code: 1204, error_message: 'String length exceeds DDL length' },
      { query_id: RedshiftQueryId, file_name: file, line_number: 5, column_name: '', column_type: '', column_length: '', position: 1,
        error_code: 1216, error_message: 'Invalid JSON: only whitespace may separate JSON objects (line 5, column 1)' },
    ]);
    expect(await rows(`SELECT query, filename, line_number, colname, raw_line, raw_field_value, err_code, err_reason
        FROM stl_load_errors WHERE filename = '${file}' ORDER BY line_number`)).toEqual([
      { query: RedshiftQueryId, filename: file, line_number: 2, colname: 'id', raw_line: '{"id": "2x", "name": "bad"}', raw_field_value: '2x',
        err_code: 1207, err_reason: "Invalid digit, Value 'x', Pos 1, Type: Integer" },
      { query: RedshiftQueryId, filename: file, line_number: 4, colname: 'name', raw_line: '{"id": 3,\n "name": "much too long"}',
        raw_field_value: 'much too long', err_code: 1204, err_reason: 'String length exceeds DDL length' },
      { query: RedshiftQueryId, filename: file, line_number: 5, colname: '', raw_line: ',', raw_field_value: '',
        err_code: 1216, err_reason: 'Invalid JSON: only whitespace may separate JSON objects (line 5, column 1)' },
    ]);
  });

  it('over MAXERROR fails, loads nothing from any file, and keeps the error rows', async () => {
    await put('over/1-good.json', '{"id": 10, "name": "good"}\n{"id": 11, "name": "good"}');
    await put('over/2-bad.json', BAD_FILE);
    await ok('CREATE TABLE over_limit (id integer, name varchar(8))');
    const copy = await run(`COPY over_limit FROM 's3://${BUCKET}/over/' FORMAT AS JSON 'auto' MAXERROR AS 2`);
    expect(copy.status).toBe('FAILED');
    expect(copy.error).toBe("ERROR: Load into table 'over_limit' failed. Check 'sys_load_error_detail' system table for details.");
    expect(await rows('SELECT count(*) AS n FROM over_limit')).toEqual([{ n: 0 }]);
    expect(await rows(`SELECT line_number, err_code FROM stl_load_errors WHERE filename = 's3://${BUCKET}/over/2-bad.json' ORDER BY line_number`))
      .toEqual([{ line_number: 2, err_code: 1207 }, { line_number: 4, err_code: 1204 }, { line_number: 5, err_code: 1216 }]);
  });
  it('reads timestamps with each TIMEFORMAT', async () => {
    await put('times/epochsecs.json', '{"at": 1542837407}\n{"at": "1542837407.25"}');
    await put('times/auto.json', '{"at": "2018-11-21T23:56:47.5+02:00"}\n{"at": "11/21/2018"}');
    await put('times/default.json', '{"at": "2018-11-21 21:56:47"}\n{"at": "21.11.2018"}');
    await ok('CREATE TABLE times (at timestamp, source varchar(16))');
    const load = (file: string, options: string) => run(`COPY times (at) FROM 's3://${BUCKET}/times/${file}' FORMAT AS JSON 'auto' ${options}`);
    expect((await load('epochsecs.json', "TIMEFORMAT 'epochsecs'")).resultRows).toBe(2);
    expect((await load('auto.json', "TIMEFORMAT AS 'auto'")).resultRows).toBe(2);
    expect(await rows('SELECT CAST(at AS varchar) AS at FROM times ORDER BY at')).toEqual([
      { at: '2018-11-21 00:00:00' }, { at: '2018-11-21 21:56:47' }, { at: '2018-11-21 21:56:47.25' }, { at: '2018-11-21 21:56:47.5' },
    ]);
    const strict = await load('default.json', 'MAXERROR 1');
    expect(strict.resultRows).toBe(1);
    expect(await rows(`SELECT line_number, column_name, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = 's3://${BUCKET}/times/default.json'`))
      .toEqual([{ line_number: 2, column_name: 'at', error_code: 1206, error_message: 'Invalid timestamp format or value [YYYY-MM-DD HH:MI:SS]' }]);
  });

  it('cuts multibyte text at a character boundary under TRUNCATECOLUMNS, and rejects it without', async () => {
    await put('multibyte/names.json', '{"name": "añoño"}\n{"name": "日本語"}\n{"name": "abcde"}');
    await ok('CREATE TABLE names (name varchar(5))');
    const refused = await run(`COPY names FROM 's3://${BUCKET}/multibyte/' FORMAT AS JSON 'auto'`);
    expect(refused.error).toBe("ERROR: Load into table 'names' failed. Check 'sys_load_error_detail' system table for details.");
    const copy = await ok(`COPY names FROM 's3://${BUCKET}/multibyte/' FORMAT AS JSON 'auto' TRUNCATECOLUMNS`);
    expect(copy.resultRows).toBe(3);
    expect(await rows('SELECT name, octet_length(name) AS bytes FROM names ORDER BY bytes, name'))
      .toEqual([{ name: '日', bytes: 3 }, { name: 'año', bytes: 4 }, { name: 'abcde', bytes: 5 }]);
  });

  it('reads gzipped objects under GZIP, and names the object that is not gzip', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` })).join('\n');
    await put('gz/part-1.json.gz', gzipSync(lines));
    await put('gz/part-2.json.gz', Buffer.concat([gzipSync('{"id": 1000}\n'), gzipSync('{"id": 1001}')])); // two gzip members
    await put('gzbad/plain.json', '{"id": 1}');
    await ok('CREATE TABLE gz (id integer, name varchar(8))');
    const copy = await ok(`COPY gz FROM 's3://${BUCKET}/gz/' GZIP FORMAT AS JSON 'auto'`);
    expect(copy.resultRows).toBe(502);
    expect(await rows('SELECT count(*) AS n, sum(id) AS total FROM gz')).toEqual([{ n: 502, total: (499 * 500) / 2 + 2001 }]);
    const bad = await run(`COPY gz FROM 's3://${BUCKET}/gzbad/' GZIP FORMAT AS JSON 'auto'`);
    expect(bad.status).toBe('FAILED');
    expect(bad.error).toBe(`ERROR: Failed to read 's3://${BUCKET}/gzbad/plain.json': incorrect header check`);
  });

  it('loads the files a manifest lists, as often as listed, and stops on a missing mandatory one', async () => {
    await put('man/a.json', '{"id": 1}\n{"id": 2}');
    await put('man/b.json', '{"id": 3}');
    const entry = (key: string, mandatory?: boolean) => ({ url: `s3://${BUCKET}/${key}`, ...(mandatory === undefined ? {} : { mandatory }) });
    await put('manifests/ok.manifest', JSON.stringify({ entries: [entry('man/a.json', true), entry('man/b.json'), entry('man/a.json'), entry('man/gone.json', false)] }));
    await put('manifests/missing.manifest', JSON.stringify({ entries: [entry('man/a.json'), entry('man/gone.json', true)] }));
    await ok('CREATE TABLE listed (id integer)');
    const copy = await ok(`COPY listed FROM 's3://${BUCKET}/manifests/ok.manifest' MANIFEST FORMAT AS JSON 'auto'`);
    expect(copy.resultRows).toBe(5);
    expect((await rows('SELECT id FROM listed ORDER BY id')).map((r) => r.id)).toEqual([1, 1, 2, 2, 3]);
    const missing = await run(`COPY listed FROM 's3://${BUCKET}/manifests/missing.manifest' MANIFEST FORMAT AS JSON 'auto'`);
    expect(missing.error).toBe(
      `ERROR: Manifest file 's3://${BUCKET}/man/gone.json' is mandatory but does not exist (manifest 's3://${BUCKET}/manifests/missing.manifest')`,
    );
  });

  it('rejects invalid UTF-8 with code 1220, or replaces each bad byte under ACCEPTINVCHARS', async () => {
    await put('utf8/bad.json', Buffer.concat([Buffer.from('{"name": "a'), Buffer.from([0xc3, 0x28]), Buffer.from('b"}\n{"name": "ok"}')]));
    await ok('CREATE TABLE utf8 (name varchar(10))');
    const refused = await run(`COPY utf8 FROM 's3://${BUCKET}/utf8/' FORMAT AS JSON 'auto'`);
    expect(refused.status).toBe('FAILED');
    expect(await rows(`SELECT column_name, error_code, position FROM sys_load_error_detail WHERE file_name = 's3://${BUCKET}/utf8/bad.json'`))
      .toEqual([{ column_name: 'name', error_code: 1220, position: 1 }]);
    await ok(`COPY utf8 FROM 's3://${BUCKET}/utf8/' FORMAT AS JSON 'auto' ACCEPTINVCHARS AS '^'`);
    expect((await rows('SELECT name FROM utf8 ORDER BY name')).map((r) => r.name)).toEqual(['a^(b', 'ok']);

    // PostgreSQL text cannot hold NUL: the value is rejected, and its error row still stored.
    await put('nul/rows.json', '{"name": "a\\u0000b"}\n{"name": "ok"}');
    await ok('CREATE TABLE nul_names (name varchar(10))');
    expect((await ok(`COPY nul_names FROM 's3://${BUCKET}/nul/' FORMAT AS JSON 'auto' MAXERROR 1`)).resultRows).toBe(1);
    expect(await rows(`SELECT line_number, err_code, raw_field_value FROM stl_load_errors WHERE filename = 's3://${BUCKET}/nul/rows.json'`))
      .toEqual([{ line_number: 1, err_code: 1220, raw_field_value: 'a\\u0000b' }]);
  });

  it('loads escaped and multibyte text exactly, and counts a varchar limit in UTF-8 bytes', async () => {
    // One record per line (the fast path), with escape sequences and without.
    const text = [
      String.raw`{"id": 1, "name": "tab\there, back\\slash, new\nline, cr\r, quote\""}`,
      String.raw`{"id": 2, "name": "caf\u00e9 \ud83d\ude00"}`,
      '{"id": 3, "name": "café 😀"}',
      '{"id": 4, "name": "éééé"}',
      '{"id": 5, "name": "ééééé"}',
      '{"id": 6, "name": "plain ascii"}',
      String.raw`{"id": 7, "obj": {"quote": "say \"hi\""}}`,
    ].join('\n');
    await put('text/rows.json', text);
    await ok('CREATE TABLE texts (id integer, name varchar(64), obj varchar(64))');
    await ok(`COPY texts FROM 's3://${BUCKET}/text/rows.json' FORMAT AS JSON 'auto'`);
    expect(await rows('SELECT id, name, obj FROM texts ORDER BY id')).toEqual([
      { id: 1, name: 'tab\there, back\\slash, new\nline, cr\r, quote"', obj: null },
      { id: 2, name: 'café 😀', obj: null },
      { id: 3, name: 'café 😀', obj: null },
      { id: 4, name: 'éééé', obj: null },
      { id: 5, name: 'ééééé', obj: null },
      { id: 6, name: 'plain ascii', obj: null },
      { id: 7, name: null, obj: '{"quote":"say \\"hi\\""}' },
    ]);
    // varchar(8) counts bytes: 'éééé' is 8 of them and fits, 'ééééé' is 10; '😀' is 4.
    await ok('CREATE TABLE short_texts (id integer, name varchar(8))');
    await ok(`COPY short_texts FROM 's3://${BUCKET}/text/rows.json' FORMAT AS JSON 'auto' MAXERROR 10`);
    expect((await rows('SELECT id FROM short_texts ORDER BY id')).map((r) => r.id)).toEqual([4, 7]);
    expect(await rows(`SELECT line_number, err_code FROM stl_load_errors WHERE filename = 's3://${BUCKET}/text/rows.json' ORDER BY line_number`))
      .toEqual([1, 2, 3, 5, 6].map((line) => ({ line_number: line, err_code: 1204 })));
  });

  it('maps nested jsonpaths, auto ignorecase and empty strings like Redshift', async () => {
    await put('paths/data.json', '{"User": {"Id": "7", "Tags": ["x", "y"]}, "Score": "", "When": 1000}\n{"User": {"Id": "", "Tags": ["z"]}, "Score": 2.5}\n{"User": {}, "Score": 3}');
    await put('paths/paths.json', JSON.stringify({ jsonpaths: ['$.User.Id', '$.User.Tags', "$['Score']", '$.User.Tags[1]'] }));
    await put('paths/not-paths.json', JSON.stringify({ columns: ['$.a'] }));
    await ok('CREATE TABLE mapped (id integer, tags varchar(32), score double precision, second varchar(4))');
    const copy = await run(`COPY mapped FROM 's3://${BUCKET}/paths/data' FORMAT AS JSON 's3://${BUCKET}/paths/paths.json' MAXERROR 1`);
    // The second record has no Tags[1]: an index out of range is an error. A missing member loads NULL.
    expect(copy.resultRows).toBe(2);
    expect(await rows('SELECT id, tags, score, second FROM mapped ORDER BY id')).toEqual([
      { id: 7, tags: '["x","y"]', score: null, second: 'y' },
      { id: null, tags: null, score: 3, second: null },
    ]);
    expect(await rows(`SELECT line_number, error_code, error_message FROM sys_load_error_detail WHERE file_name = 's3://${BUCKET}/paths/data.json'`))
      .toEqual([{ line_number: 2, error_code: 1216, error_message: 'Invalid JSONPath format: Not an array or index out of range.' }]);

    await ok('CREATE TABLE cased (user_id integer, score double precision)');
    await put('cased/data.json', '{"USER_ID": 1, "Score": 1.5}');
    await ok(`COPY cased FROM 's3://${BUCKET}/cased/' FORMAT AS JSON 'auto'`);
    await ok(`COPY cased FROM 's3://${BUCKET}/cased/' FORMAT AS JSON 'auto ignorecase'`);
    // A file without a "jsonpaths" key falls back to 'auto' (case-sensitive).
    await ok(`COPY cased FROM 's3://${BUCKET}/cased/' FORMAT AS JSON 's3://${BUCKET}/paths/not-paths.json'`);
    expect(await rows('SELECT user_id, score FROM cased ORDER BY user_id')).toEqual([
      { user_id: 1, score: 1.5 }, { user_id: null, score: null }, { user_id: null, score: null },
    ]);
  });

  it('rejects NULL into a NOT NULL column with code 1213 and refuses a malformed jsonpaths file', async () => {
    await put('notnull/data.json', '{"id": 1, "name": "a"}\n{"name": "b"}');
    await put('notnull/paths-bad.json', '{"jsonpaths": ["$.id", 5]}');
    await ok('CREATE TABLE strict_ids (id integer NOT NULL, name varchar(4))');
    const copy = await run(`COPY strict_ids FROM 's3://${BUCKET}/notnull/data' FORMAT AS JSON 'auto'`);
    expect(copy.status).toBe('FAILED');
    expect(await rows(`SELECT line_number, column_name, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = 's3://${BUCKET}/notnull/data.json'`))
      .toEqual([{ line_number: 2, column_name: 'id', error_code: 1213, error_message: 'Missing data for not-null field' }]);
    const paths = await run(`COPY strict_ids FROM 's3://${BUCKET}/notnull/data' FORMAT AS JSON 's3://${BUCKET}/notnull/paths-bad.json'`);
    expect(paths.error).toBe('ERROR: Invalid JSONPath format: element 1 is not a string');
    const missingTable = await run(`COPY no_such_table FROM 's3://${BUCKET}/notnull/data' FORMAT AS JSON 'auto'`);
    expect(missingTable.error).toBe('ERROR: relation "no_such_table" does not exist');
  });

  // Line 2 lacks the closing quote of "Broken Song": the string would run on through the next lines.
  const BROKEN_LINE = '{"id": 2, "song": "Broken Song, "artist": "Björk"}';
  const BROKEN_FILE = ['{"id": 1, "song": "First"}', BROKEN_LINE, '{"id": 3, "song": "Third"}', '{"id": 4, "song": "Fourth"}'].join('\n');
  const BROKEN_REASON = 'Invalid JSON: unterminated string, a JSON string cannot hold a raw line break (line 2, column 51)';

  it('ends a broken string at its line, and under MAXERROR loads every good record after it', async () => {
    await put('broken/events.json', BROKEN_FILE);
    await ok('CREATE TABLE broken (id integer, song varchar(32))');
    const copy = await ok(`COPY broken FROM 's3://${BUCKET}/broken/' FORMAT AS JSON 'auto' MAXERROR 1`);
    expect(copy.resultRows).toBe(3);
    expect(await rows('SELECT id, song FROM broken ORDER BY id'))
      .toEqual([{ id: 1, song: 'First' }, { id: 3, song: 'Third' }, { id: 4, song: 'Fourth' }]);
    const file = `s3://${BUCKET}/broken/events.json`;
    expect(await rows(`SELECT line_number, column_name, position, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = '${file}'`))
      .toEqual([{ line_number: 2, column_name: '', position: 51, error_code: 1216, error_message: BROKEN_REASON }]);
    expect(await rows(`SELECT line_number, position, raw_line, raw_field_value, err_code, err_reason FROM stl_load_errors
        WHERE filename = '${file}'`))
      .toEqual([{ line_number: 2, position: 51, raw_line: BROKEN_LINE, raw_field_value: '', err_code: 1216, err_reason: BROKEN_REASON }]);
  });

  it("without MAXERROR fails on a broken string with Redshift's message, and the error row names its line", async () => {
    await put('broken-strict/events.json', BROKEN_FILE);
    await ok('CREATE TABLE broken_strict (id integer, song varchar(32))');
    const copy = await run(`COPY broken_strict FROM 's3://${BUCKET}/broken-strict/' FORMAT AS JSON 'auto'`);
    expect(copy.status).toBe('FAILED');
    expect(copy.error).toBe("ERROR: Load into table 'broken_strict' failed. Check 'sys_load_error_detail' system table for details.");
    expect(await rows('SELECT count(*) AS n FROM broken_strict')).toEqual([{ n: 0 }]);
    expect(await rows(`SELECT line_number, position, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = 's3://${BUCKET}/broken-strict/events.json'`))
      .toEqual([{ line_number: 2, position: 51, error_code: 1216, error_message: BROKEN_REASON }]);
  });

  it('loads pretty-printed objects around a broken one, and places invalid JSON by line and column', async () => {
    await put('pretty/events.json', [
      '{', '  "id": 1,', '  "song": "One",', '  "extra": {"tags": ["a", "b"]}', '}',
      '{', '  "id": 2,', '  "song": "Two,', '  "extra": [', '    {"x": 1}', '  ]', '}',
      '{', '  "id": 3,', '  "song": "Three",', '}',
      '{"id": 4, "song": "Four"} {"id": 5 "song": "Five"}',
      '{', '  "id": 6,', '  "song": "Six"', '}',
    ].join('\n'));
    await ok('CREATE TABLE pretty (id integer, song varchar(32))');
    const copy = await ok(`COPY pretty FROM 's3://${BUCKET}/pretty/' FORMAT AS JSON 'auto' MAXERROR 5`);
    expect(copy.resultRows).toBe(3);
    expect(await rows('SELECT id, song FROM pretty ORDER BY id'))
      .toEqual([{ id: 1, song: 'One' }, { id: 4, song: 'Four' }, { id: 6, song: 'Six' }]);
    expect(await rows(`SELECT line_number, position, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = 's3://${BUCKET}/pretty/events.json' ORDER BY line_number`)).toEqual([
      { line_number: 8, position: 16, error_code: 1216,
        error_message: 'Invalid JSON: unterminated string, a JSON string cannot hold a raw line break (line 8, column 16)' },
      { line_number: 16, position: 1, error_code: 1216,
        error_message: `Invalid JSON: expected a double-quoted property name, unexpected character "}" (line 16, column 1)` },
      { line_number: 17, position: 36, error_code: 1216,
        error_message: `Invalid JSON: expected ',' or '}' after a property value, unexpected character "\\"" (line 17, column 36)` },
    ]);
  });

  it('reports a gzipped object read without GZIP once, with a hint', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` })).join('\n');
    await put('gzhint/part-1.json.gz', gzipSync(lines));
    await put('gzhint/part-2.json', '{"id": 1000}');
    await ok('CREATE TABLE gzhint (id integer, name varchar(8))');
    const reason = 'Invalid JSON: the file looks gzip-compressed (it starts with the bytes 1f 8b); '
      + 'COPY reads gzip files only with the GZIP option (line 1, column 1)';
    const strict = await run(`COPY gzhint FROM 's3://${BUCKET}/gzhint/' FORMAT AS JSON 'auto'`);
    expect(strict.error).toBe("ERROR: Load into table 'gzhint' failed. Check 'sys_load_error_detail' system table for details.");
    const copy = await ok(`COPY gzhint FROM 's3://${BUCKET}/gzhint/' FORMAT AS JSON 'auto' MAXERROR 10`);
    expect(copy.resultRows).toBe(1);
    expect(await rows(`SELECT query_id, line_number, position, error_code, error_message FROM sys_load_error_detail
        WHERE file_name = 's3://${BUCKET}/gzhint/part-1.json.gz' ORDER BY query_id`)).toEqual([
      { query_id: expect.any(Number), line_number: 1, position: 1, error_code: 1216, error_message: reason },
      { query_id: expect.any(Number), line_number: 1, position: 1, error_code: 1216, error_message: reason },
    ]);
  });
});
