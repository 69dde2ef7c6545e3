import { parseCopyStatement } from '../../../src/offline/copy/copy-statement';
import { parseJsonPath, parseJsonPathsFile, selectPath } from '../../../src/offline/copy/jsonpaths';

function failure(sql: string): string {
  try {
    parseCopyStatement(sql);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the statement to be refused');
}

describe('parseCopyStatement', () => {
  it('reads the events COPY of the pipeline', () => {
    const statement = parseCopyStatement(`COPY staging_events FROM 's3://udacity-dend/log_data'
      IAM_ROLE 'arn:aws:iam::123456789012:role/copy' REGION 'us-west-2'
      FORMAT AS JSON 's3://udacity-dend/log_json_path.json' TIMEFORMAT AS 'epochmillisecs';`);
    expect(statement).toEqual({
      table: { name: 'staging_events' },
      columns: undefined,
      source: { bucket: 'udacity-dend', key: 'log_data' },
      manifest: false,
      json: { mode: 'jsonpaths', location: { bucket: 'udacity-dend', key: 'log_json_path.json' } },
      timeFormat: 'epochmillisecs',
      blanksAsNull: false,
      emptyAsNull: false,
      truncateColumns: false,
      acceptInvChars: null,
      maxError: 0,
      gzip: false,
      roundDecimals: false,
      noLoad: false,
    });
  });

  it('takes options in any order, the short JSON form, a column list and a qualified, quoted name', () => {
    const statement = parseCopyStatement(`copy Public."Songs" ("Song_ID", title) from 's3://b-1/song_data/A'
      maxerror as 10 gzip manifest blanksasnull emptyasnull truncatecolumns acceptinvchars as '^'
      compupdate off statupdate off comprows 1000 credentials 'aws_iam_role=x' json 'auto ignorecase'`);
    expect(statement).toMatchObject({
      table: { schema: 'public', name: 'songs' },
      columns: ['song_id', 'title'],
      source: { bucket: 'b-1', key: 'song_data/A' },
      json: { mode: 'auto', ignoreCase: true },
      maxError: 10, gzip: true, manifest: true, blanksAsNull: true, emptyAsNull: true, truncateColumns: true, acceptInvChars: '^',
      statUpdate: false,
    });
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' FORMAT JSON 'auto' STATUPDATE").statUpdate).toBe(true);
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' FORMAT JSON 'auto' STATUPDATE ON").statUpdate).toBe(true);
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' FORMAT JSON 'auto'").statUpdate).toBeUndefined();
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' IAM_ROLE default FORMAT JSON ACCEPTINVCHARS").acceptInvChars).toBe('?');
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' FORMAT JSON").json).toEqual({ mode: 'auto', ignoreCase: false });
    expect(parseCopyStatement("COPY t FROM 's3://bkt/k' NOLOAD ROUNDEC DATEFORMAT AS 'DD/MM/YYYY' FORMAT JSON")).toMatchObject({
      noLoad: true, roundDecimals: true, dateFormat: 'DD/MM/YYYY',
    });
  });

  it('reads a #name temporary table', () => {
    expect(parseCopyStatement("COPY #Stage FROM 's3://bkt/k' FORMAT JSON").table).toEqual({ name: '#stage' });
  });

  it("unescapes '' in quoted strings", () => {
    expect(parseCopyStatement("COPY t FROM 's3://bkt/it''s' FORMAT JSON 'auto'").source.key).toBe("it's");
  });

  it('refuses what it cannot honour, with a clear message', () => {
    expect(failure("COPY t FROM 's3://bkt/k' CSV")).toMatch(/COPY option CSV is not supported by the offline emulator/);
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT AS PARQUET")).toMatch(/only FORMAT AS JSON is supported/);
    expect(failure("COPY t FROM 's3://bkt/k' IAM_ROLE 'x'")).toMatch(/without FORMAT AS JSON/);
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT JSON 'noshred'")).toMatch(/SUPER columns are not emulated/);
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT JSON WHATEVER")).toBe('syntax error at or near "WHATEVER"');
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT JSON MAXERROR 100001")).toMatch(/MAXERROR must be a whole number from 0 to 100000/);
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT JSON GZIP GZIP")).toMatch(/GZIP is given twice/);
    expect(failure("COPY t FROM 's3://bkt/k' FORMAT JSON ACCEPTINVCHARS 'ab'")).toMatch(/single ASCII character/);
  });

  it('accepts only strict s3:// URLs', () => {
    expect(failure("COPY t FROM 'http://bkt/k' FORMAT JSON")).toBe(
      "Invalid S3 URL 'http://bkt/k': expected s3://bucket/prefix, the bucket named with 3 to 63 lowercase letters, digits, dots or hyphens",
    );
    expect(failure("COPY t FROM 's3://bkt/../etc' FORMAT JSON")).toMatch(/Invalid S3 URL/);
    expect(failure("COPY t FROM 's3://Bad_Bucket/k' FORMAT JSON")).toMatch(/Invalid S3 URL/);
    expect(failure("COPY t FROM 's3://b/k' FORMAT JSON")).toMatch(/bucket named with 3 to 63 lowercase letters/);
    expect(failure("COPY t FROM 's3://bkt/k FORMAT JSON")).toMatch(/unterminated quoted string/);
  });
});

describe('JSONPaths', () => {
  it('reads bracket, dot and index expressions', () => {
    expect(parseJsonPath("$['artist']")).toEqual(['artist']);
    expect(parseJsonPath('$["a b"]["c"]')).toEqual(['a b', 'c']);
    expect(parseJsonPath('$.a.b[2]')).toEqual(['a', 'b', 2]);
  });

  it('refuses mixed notation, wildcards and non-string elements', () => {
    expect(() => parseJsonPath("$.a['b']")).toThrow(/mixes dot and bracket notation/);
    expect(() => parseJsonPath('$.a[*]')).toThrow(/wildcards and filters are not supported/);
    expect(() => parseJsonPathsFile('{"jsonpaths": ["$.a", 3]}')).toThrow('Invalid JSONPath format: element 1 is not a string');
    expect(() => parseJsonPathsFile('{"jsonpaths": ')).toThrow(/not valid JSON/);
  });

  it('falls back to auto when the top-level key is not "jsonpaths"', () => {
    expect(parseJsonPathsFile('{"paths": ["$.a"]}')).toBeNull();
  });

  it('selects values: missing members are undefined, bad indexes an error', () => {
    const record = { a: { b: [10, { c: 'x' }] } };
    expect(selectPath(record, ['a', 'b', 1, 'c'])).toBe('x');
    expect(selectPath(record, ['a', 'z'])).toBeUndefined();
    expect(selectPath(record, ['a', 'b'])).toEqual([10, { c: 'x' }]);
    expect(() => selectPath(record, ['a', 'b', 5])).toThrow('Invalid JSONPath format: Not an array or index out of range.');
  });
});
