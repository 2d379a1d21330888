/**
 * No parser checks Db2 SQL offline (the candidates accept MySQL's syntax and refuse Db2's own), so
 * everything the dialect emits for a fixture schema is held to what Db2 never takes: other
 * dialects' quoting, keywords and placeholders, and clauses Db2 lacks.
 */
import { describe, expect, it } from 'vitest';
import { sqlLexer } from '../../src/dialect-kit/sql-lexer.js';
import { DB2_EMITTED } from '../support/db2-emitted-sql.js';

/** Outside quoted text and comments, as Db2 reads them. */
const lexer = sqlLexer({ nameQuotes: '"', stringQuotes: "'" });

const FOREIGN: [string, RegExp][] = [
  ['a backtick', /`/],
  ['AUTO_INCREMENT', /\bauto_increment\b/],
  ['LIMIT', /\blimit\b/],
  ['a :: cast', /::/],
  ['a $n placeholder', /\$\d/],
  ['CONCURRENTLY', /\bconcurrently\b/],
  ['IF EXISTS (Db2 11.5+ only)', /\bif exists\b/],
  ['ON UPDATE CASCADE or SET NULL', /\bon update (cascade|set)\b/],
  ['a row-value comparison', /\)\s*(?:<=|>=|<|>)\s*\(\s*\?/],
  ['NOW()', /\bnow\s*\(/],
  ['a bare name starting with an underscore', /(?<![\w".])_\w/],
];

/** A SELECT that reads no table; Db2 has none. */
const selectsWithoutFrom = (statement: string) => {
  const selects = statement.match(/\bselect\b/g)?.length ?? 0;
  const froms = statement.match(/\bfrom\b/g)?.length ?? 0;
  return froms < selects;
};

/** An untyped parameter marker in a select list: Db2 cannot type it. */
const UNTYPED_MARKER = /\bselect (?:[^()]*, )?\?/;

/** What the lint finds in one string. */
const problems = (sql: string) =>
  lexer.statements(sql).flatMap((statement) => [
    ...FOREIGN.filter(([, pattern]) => pattern.test(statement)).map(([what]) => what),
    ...(selectsWithoutFrom(statement) ? ['a SELECT without FROM'] : []),
    ...(UNTYPED_MARKER.test(statement) ? ['a ? in a select list'] : []),
  ]);

describe('the SQL the Db2 dialect emits', () => {
  it.each(Object.entries(DB2_EMITTED))('%s has nothing Db2 refuses', (_name, sql) => {
    expect(problems(sql)).toEqual([]);
  });

  it('the lint finds what it looks for, outside quoted text only', () => {
    expect(problems('SELECT `a` FROM t LIMIT 1')).toEqual(['a backtick', 'LIMIT']);
    expect(problems('CREATE INDEX CONCURRENTLY i ON t (a); DROP TABLE IF EXISTS t')).toEqual(['CONCURRENTLY', 'IF EXISTS (Db2 11.5+ only)']);
    expect(problems('SELECT a::int FROM t WHERE (a, b) > (?, ?) AND c = $1')).toEqual(['a :: cast', 'a $n placeholder', 'a row-value comparison']);
    expect(problems('SELECT 1 AS _x, ? FROM t; SELECT 1')).toEqual(['a bare name starting with an underscore', 'a ? in a select list', 'a SELECT without FROM']);
    expect(problems(`ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id) ON UPDATE CASCADE; VALUES NOW()`)).toEqual(['ON UPDATE CASCADE or SET NULL', 'NOW()']);
    expect(problems(`SELECT '\`LIMIT 1' AS "_x" FROM t -- LIMIT`)).toEqual([]);
  });

  it('keeps every name Db2 reads within 128 bytes', () => {
    const names = Object.values(DB2_EMITTED).flatMap((sql) => sql.match(/"(?:[^"]|"")+"/g) ?? []);
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) expect(Buffer.byteLength(name.slice(1, -1).replace(/""/g, '"')), name).toBeLessThanOrEqual(128);
  });
});
