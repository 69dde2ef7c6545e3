import {
  decodeRecord, FieldError, makeConverter, parseRecord, truncateToBytes, type ConversionOptions, type TargetColumn,
} from '../../../src/offline/copy/conversions';
import { timeFormat } from '../../../src/offline/copy/time-formats';

const defaults: ConversionOptions = {
  timeFormat: timeFormat('YYYY-MM-DD HH:MI:SS')!,
  dateFormat: timeFormat('YYYY-MM-DD')!,
  roundDecimals: false,
  blanksAsNull: false,
  emptyAsNull: false,
  truncateColumns: false,
  acceptInvChars: null,
};

function convert(column: Partial<TargetColumn> & { typeName: string }, value: unknown, options: Partial<ConversionOptions> = {}) {
  const converter = makeConverter({ name: 'c', notNull: false, ...column }, { ...defaults, ...options });
  return converter(value as never, false);
}

function rejection(column: Partial<TargetColumn> & { typeName: string }, value: unknown, options: Partial<ConversionOptions> = {}) {
  try {
    convert(column, value, options);
  } catch (error) {
    if (error instanceof FieldError) return { code: error.code, message: error.message, position: error.position };
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('integer columns', () => {
  it('take JSON numbers and strings of digits, like the events userId "39"', () => {
    expect(convert({ typeName: 'int4' }, 39)).toBe('39');
    expect(convert({ typeName: 'int4' }, '39')).toBe('39');
    expect(convert({ typeName: 'int8' }, 1541105830796)).toBe('1541105830796');
    expect(convert({ typeName: 'int2' }, '-7')).toBe('-7');
  });

  it('load an empty or blank string or null as NULL', () => {
    expect(convert({ typeName: 'int4' }, '')).toBeNull();
    expect(convert({ typeName: 'int4' }, '  ')).toBeNull();
    expect(convert({ typeName: 'timestamp' }, ' ')).toBeNull();
    expect(convert({ typeName: 'int4' }, null)).toBeNull();
    expect(convert({ typeName: 'int4' }, undefined)).toBeNull();
  });

  it('reject a non-digit with code 1207 and its position', () => {
    expect(rejection({ typeName: 'int4' }, '12a')).toEqual({ code: 1207, message: "Invalid digit, Value 'a', Pos 2, Type: Integer", position: 2 });
    expect(rejection({ typeName: 'int4' }, 3.5)).toMatchObject({ code: 1207, message: "Invalid digit, Value '.', Pos 1, Type: Integer" });
  });

  it('reject an overflow with code 1222', () => {
    expect(rejection({ typeName: 'int2' }, 40000)).toEqual({ code: 1222, message: 'Overflow (Short valid range -32768 to 32767)', position: 0 });
    expect(convert({ typeName: 'int8' }, '9223372036854775807')).toBe('9223372036854775807');
    expect(rejection({ typeName: 'int8' }, '9223372036854775808').code).toBe(1222);
  });
});

describe('numeric, float and boolean columns', () => {
  it('cut numeric digits beyond the scale and reject too many integer digits', () => {
    expect(convert({ typeName: 'numeric', precision: 10, scale: 2 }, 246.30812)).toBe('246.30');
    expect(convert({ typeName: 'numeric', precision: 10, scale: 2 }, '-0.001')).toBe('0.00');
    expect(convert({ typeName: 'numeric', precision: 5, scale: 0 }, '1.5e3')).toBe('1500');
    expect(rejection({ typeName: 'numeric', precision: 4, scale: 2 }, 123.4).code).toBe(1204);
    expect(rejection({ typeName: 'numeric', precision: 4, scale: 2 }, 'x1').code).toBe(1207);
  });

  it('round half up under ROUNDEC', () => {
    const roundec = { roundDecimals: true };
    expect(convert({ typeName: 'numeric', precision: 10, scale: 2 }, 246.305, roundec)).toBe('246.31');
    expect(convert({ typeName: 'numeric', precision: 10, scale: 2 }, '-9.995', roundec)).toBe('-10.00');
    expect(convert({ typeName: 'numeric', precision: 5, scale: 0 }, '0.5', roundec)).toBe('1');
    expect(rejection({ typeName: 'numeric', precision: 3, scale: 2 }, '9.999', roundec).code).toBe(1204);
  });

  it('keep every digit of an unconstrained numeric', () => {
    expect(convert({ typeName: 'numeric' }, '12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
  });

  it('take floats as numbers or numeric strings', () => {
    expect(convert({ typeName: 'float8' }, 1540919166796.0)).toBe('1540919166796');
    expect(convert({ typeName: 'float8' }, '-35.5')).toBe('-35.5');
    expect(rejection({ typeName: 'float8' }, 'abc')).toMatchObject({ code: 1208 });
    // Out of range: a rejected record, not an engine error that fails the whole COPY.
    expect(rejection({ typeName: 'float8' }, '1e400')).toEqual({ code: 1208, message: "Value out of range, Value '1e400', Type: Double Precision", position: 0 });
    expect(rejection({ typeName: 'float8' }, '-2.5e-400')).toMatchObject({ code: 1208 });
    expect(rejection({ typeName: 'float4' }, 1e39)).toEqual({ code: 1208, message: "Value out of range, Value '1e+39', Type: Real", position: 0 });
    expect(rejection({ typeName: 'float4' }, '1e-50')).toMatchObject({ code: 1208 });
    expect(convert({ typeName: 'float4' }, 3.4e38)).toBe('3.4e+38');
    // JSON numbers take a fast path; it gives what their text would.
    expect(rejection({ typeName: 'float4' }, 1e-50)).toEqual({ code: 1208, message: "Value out of range, Value '1e-50', Type: Real", position: 0 });
    expect(rejection({ typeName: 'float8' }, Infinity)).toMatchObject({ code: 1208 });
    expect(convert({ typeName: 'float8' }, -0)).toBe('0');
    expect(convert({ typeName: 'float4' }, 0)).toBe('0');
    expect(convert({ typeName: 'float8' }, 1.5e-7)).toBe('1.5e-7');
    expect(convert({ typeName: 'float8' }, '0.0e-400')).toBe('0.0e-400');
  });

  it('take booleans as JSON booleans or Redshift words', () => {
    expect(convert({ typeName: 'bool' }, true)).toBe('t');
    expect(convert({ typeName: 'bool' }, 'No')).toBe('f');
    expect(rejection({ typeName: 'bool' }, 'maybe').code).toBe(1210);
  });
});

describe('character columns', () => {
  it('count the declared length in bytes', () => {
    expect(rejection({ typeName: 'varchar', length: 4 }, 'ab€')).toEqual({ code: 1204, message: 'String length exceeds DDL length', position: 4 });
    expect(convert({ typeName: 'varchar', length: 5 }, 'ab€')).toBe('ab€');
  });

  it('with TRUNCATECOLUMNS cut at a character boundary within the byte limit', () => {
    expect(convert({ typeName: 'varchar', length: 4 }, 'ab€d', { truncateColumns: true })).toBe('ab');
    expect(convert({ typeName: 'varchar', length: 5 }, 'ab€d', { truncateColumns: true })).toBe('ab€');
    expect(truncateToBytes('😀😀', 7)).toBe('😀');
  });

  it('load empty strings as empty unless EMPTYASNULL, blanks as blanks unless BLANKSASNULL', () => {
    expect(convert({ typeName: 'varchar', length: 10 }, '')).toBe('');
    expect(convert({ typeName: 'varchar', length: 10 }, '', { emptyAsNull: true })).toBeNull();
    expect(convert({ typeName: 'varchar', length: 10 }, '  ')).toBe('  ');
    expect(convert({ typeName: 'varchar', length: 10 }, '  ', { blanksAsNull: true })).toBeNull();
    expect(convert({ typeName: 'varchar', length: 10 }, '', { blanksAsNull: true })).toBe('');
  });

  it('load numbers as their text and nested values as JSON text', () => {
    expect(convert({ typeName: 'varchar', length: 50 }, 246.30812)).toBe('246.30812');
    expect(convert({ typeName: 'varchar', length: 50 }, { a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('reject invalid UTF-8 with code 1220, or replace each bad byte under ACCEPTINVCHARS', () => {
    const record = decodeRecord(Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('é"}')]));
    const value = (JSON.parse(record) as { s: string }).s;
    expect(rejection({ typeName: 'varchar', length: 20 }, value)).toMatchObject({ code: 1220, position: 1 });
    expect(convert({ typeName: 'varchar', length: 20 }, value, { acceptInvChars: '?' })).toBe('a??é');
    expect(convert({ typeName: 'varchar', length: 20 }, value, { acceptInvChars: '^' })).toBe('a^^é');
  });

  it('decode valid UTF-8, including a real U+FFFD, unchanged', () => {
    expect(decodeRecord(Buffer.from('{"s":"\uFFFD😀"}'))).toBe('{"s":"\uFFFD😀"}');
  });
});

describe('NOT NULL', () => {
  it('rejects a missing or null value with code 1213', () => {
    expect(rejection({ typeName: 'int4', notNull: true }, undefined)).toEqual({ code: 1213, message: 'Missing data for not-null field', position: 0 });
    expect(rejection({ typeName: 'varchar', length: 5, notNull: true }, '', { emptyAsNull: true }).code).toBe(1213);
  });
});

describe('timestamps and dates', () => {
  it("epochmillisecs keeps milliseconds", () => {
    const options = { timeFormat: timeFormat('epochmillisecs')! };
    expect(convert({ typeName: 'timestamp' }, 1542837407796, options)).toBe('2018-11-21 21:56:47.796');
    expect(convert({ typeName: 'timestamp' }, '1541105830000', options)).toBe('2018-11-01 20:57:10');
    expect(convert({ typeName: 'timestamptz' }, 0, options)).toBe('1970-01-01 00:00:00+00');
    expect(rejection({ typeName: 'timestamp' }, 'soon', options)).toEqual({ code: 1206, message: 'Invalid timestamp format or value [epochmillisecs]', position: 0 });
  });

  it('epochsecs takes seconds, with a fraction', () => {
    const options = { timeFormat: timeFormat('epochsecs')! };
    expect(convert({ typeName: 'timestamp' }, 1542837407, options)).toBe('2018-11-21 21:56:47');
    expect(convert({ typeName: 'timestamp' }, 1542837407.25, options)).toBe('2018-11-21 21:56:47.25');
    expect(convert({ typeName: 'timestamp' }, -1.5, options)).toBe('1969-12-31 23:59:58.5');
  });

  it("the default format is 'YYYY-MM-DD HH:MI:SS'", () => {
    expect(convert({ typeName: 'timestamp' }, '2018-11-21 21:56:47')).toBe('2018-11-21 21:56:47');
    expect(convert({ typeName: 'timestamp' }, '2018-11-21 21:56:47.5')).toBe('2018-11-21 21:56:47.5');
    expect(rejection({ typeName: 'timestamp' }, '2018-02-30 00:00:00')).toMatchObject({ code: 1206, message: 'Invalid timestamp format or value [YYYY-MM-DD HH:MI:SS]' });
    expect(rejection({ typeName: 'timestamp' }, 1542837407796).code).toBe(1206);
  });

  it("'auto' reads ISO 8601 with offsets and the slash forms", () => {
    const options = { timeFormat: timeFormat('auto')! };
    expect(convert({ typeName: 'timestamp' }, '2018-11-21T21:56:47Z', options)).toBe('2018-11-21 21:56:47');
    expect(convert({ typeName: 'timestamp' }, '2018-11-21T23:56:47.123+02:00', options)).toBe('2018-11-21 21:56:47.123');
    expect(convert({ typeName: 'timestamp' }, '11/21/2018', options)).toBe('2018-11-21 00:00:00');
  });

  it('a format string reads its elements', () => {
    const options = { timeFormat: timeFormat('MM/DD/YYYY HH12:MI:SS AM')! };
    expect(convert({ typeName: 'timestamp' }, '11/21/2018 09:56:47 PM', options)).toBe('2018-11-21 21:56:47');
    expect(convert({ typeName: 'timestamp' }, '21.11.18 21:56', { timeFormat: timeFormat('dd.mm.yy hh24:mi')! })).toBe('2018-11-21 21:56:00');
    expect(timeFormat('YYYY-MON-DD')).toBeNull();
  });

  it('dates take YYYY-MM-DD by default, or DATEFORMAT, and reject anything else with code 1205', () => {
    expect(convert({ typeName: 'date' }, '2018-11-21')).toBe('2018-11-21');
    expect(rejection({ typeName: 'date' }, '21/11/2018')).toEqual({ code: 1205, message: 'Invalid date format or value [YYYY-MM-DD]', position: 0 });
    expect(convert({ typeName: 'date' }, '21/11/2018', { dateFormat: timeFormat('DD/MM/YYYY')! })).toBe('2018-11-21');
    expect(convert({ typeName: 'date' }, '2018-11-21T23:00:00Z', { dateFormat: timeFormat('auto')! })).toBe('2018-11-21');
  });
});

describe('parseRecord', () => {
  it('keeps numbers that a double cannot hold exactly as their text, and leaves strings alone', () => {
    const record = parseRecord('{"big": 9007199254740993, "long": -0.12345678901234567891, "ts": 1541105830796, "s": "1234567890123456789", "f": 1.5e300}');
    expect(record).toEqual({ big: '9007199254740993', long: '-0.12345678901234567891', ts: 1541105830796, s: '1234567890123456789', f: 1.5e300 });
    expect(convert({ typeName: 'int8' }, (record as { big: unknown }).big)).toBe('9007199254740993');
    expect(convert({ typeName: 'numeric', precision: 38, scale: 20 }, (record as { long: unknown }).long)).toBe('-0.12345678901234567891');
  });

  it('finds a number of 16 or more digits wherever it starts, and leaves 15 digits to JSON.parse', () => {
    // 9007199254740993 is 2^53 + 1, the first integer a double cannot hold; padded to 16–18 digits it stays inexact.
    for (const digits of ['9007199254740993', '90071992547409930', '900719925474099301']) {
      for (let pad = 0; pad < 20; pad++) {
        const text = `{"${'k'.repeat(pad)}":${digits},"n":1}`;
        expect(parseRecord(text)).toEqual({ ['k'.repeat(pad)]: digits, n: 1 });
      }
    }
    // Fifteen digits, then a non-digit: no run of 16, so the double is kept (and is exact).
    expect(parseRecord('{"a":123456789012345,"b":"x","c":123456789012345.5}')).toEqual({ a: 123456789012345, b: 'x', c: 123456789012345.5 });
  });

  it('parses ordinary records with JSON.parse semantics and rejects malformed ones', () => {
    expect(parseRecord('{"a": [1, {"b": null}], "c": "x\\ty"}')).toEqual({ a: [1, { b: null }], c: 'x\ty' });
    expect(() => parseRecord('{"a": 12345678901234567,}')).toThrow(SyntaxError);
  });
});
