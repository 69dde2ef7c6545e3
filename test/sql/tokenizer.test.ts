import { tokenize, type Token } from '../../src/sql/tokenizer';

const significant = (sql: string): Pick<Token, 'kind' | 'text' | 'value'>[] =>
  tokenize(sql)
    .filter((t) => t.kind !== 'space')
    .map(({ kind, text, value }) => (value === undefined ? { kind, text } : { kind, text, value }));

describe('tokenize', () => {
  const tricky = [
    "SELECT 'it''s; -- not a comment', E'a\\'b;', $$ :x; $$, $tag$ a $$ b $tag$ FROM \"we\"\"ird;\" -- tail ;\n",
    '/* outer /* inner ; */ still comment */ SELECT 1.5e-3, .5, 10::int, :name, $1',
    "select 'unterminated",
    '/* unterminated comment',
    'a<>b>=c||d::varchar(10)',
    'SELECT #temp.a FROM #temp',
  ];

  it.each(tricky)('is lossless for %j', (sql) => {
    const tokens = tokenize(sql);
    expect(tokens.map((t) => t.text).join('')).toBe(sql);
    for (const t of tokens) expect(sql.slice(t.start, t.end)).toBe(t.text);
  });

  it("keeps '' escapes, E'' backslash escapes and dollar quotes inside one string token", () => {
    expect(significant("'it''s', E'a\\'b\\n', $$x;y$$, $t$ $$ $t$")).toEqual([
      { kind: 'string', text: "'it''s'", value: "it's" },
      { kind: 'punct', text: ',' },
      { kind: 'string', text: "E'a\\'b\\n'", value: "a'b\n" },
      { kind: 'punct', text: ',' },
      { kind: 'string', text: '$$x;y$$', value: 'x;y' },
      { kind: 'punct', text: ',' },
      { kind: 'string', text: '$t$ $$ $t$', value: ' $$ ' },
    ]);
  });

  it("reads backslash escapes in plain '…' literals too, as Redshift does", () => {
    expect(significant("'it\\'s', 'a\\\\b'")).toEqual([
      { kind: 'string', text: "'it\\'s'", value: "it's" },
      { kind: 'punct', text: ',' },
      { kind: 'string', text: "'a\\\\b'", value: 'a\\b' },
    ]);
  });

  it('reads quoted identifiers with "" escapes and lower-cases words', () => {
    expect(significant('SELECT "My ""Col""" FROM Songs')).toEqual([
      { kind: 'word', text: 'SELECT', value: 'select' },
      { kind: 'quoted', text: '"My ""Col"""', value: 'My "Col"' },
      { kind: 'word', text: 'FROM', value: 'from' },
      { kind: 'word', text: 'Songs', value: 'songs' },
    ]);
  });

  it('tells :: casts from :name parameters and $n positional parameters', () => {
    expect(significant('a::int = :id_1 and b = $2')).toEqual([
      { kind: 'word', text: 'a', value: 'a' },
      { kind: 'op', text: '::' },
      { kind: 'word', text: 'int', value: 'int' },
      { kind: 'op', text: '=' },
      { kind: 'param', text: ':id_1', value: 'id_1' },
      { kind: 'word', text: 'and', value: 'and' },
      { kind: 'word', text: 'b', value: 'b' },
      { kind: 'op', text: '=' },
      { kind: 'param', text: '$2', value: '2' },
    ]);
  });

  it('reads nested block comments and line comments as single comment tokens', () => {
    const tokens = tokenize('/* a /* b */ c */x-- d;\ny');
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['comment', '/* a /* b */ c */'],
      ['word', 'x'],
      ['comment', '-- d;'],
      ['space', '\n'],
      ['word', 'y'],
    ]);
  });

  it('reads numbers with fractions and exponents, and stops an operator where a comment starts', () => {
    expect(significant('1.5e-3+.5*-- c')).toEqual([
      { kind: 'number', text: '1.5e-3' },
      { kind: 'op', text: '+' },
      { kind: 'number', text: '.5' },
      { kind: 'op', text: '*' },
      { kind: 'comment', text: '-- c' },
    ]);
  });
});
