/**
 * The shared lexer and the rules every dialect shares, read with the lexical rules of a dialect
 * the tree does not have yet (Db2's: `"` names, `'` strings without backslash escapes, `--` and
 * non-nesting block comments, no dollar quotes, no backticks): a classifier is the lexer, the
 * common rules, and the dialect's own rules tried first.
 */
import { describe, expect, it } from 'vitest';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { actions, closingParen, sqlLexer } from '../../src/dialect-kit/sql-lexer.js';
import { statementClassifier, viewOver } from '../../src/dialect-kit/statement-classifier.js';
import type { StatementClass } from '../../src/model/statement-class.js';

const lexer = sqlLexer({ nameQuotes: '"', stringQuotes: "'" });

describe('sqlLexer', () => {
  it('splits on semicolons outside quoted text and comments, empties quoted text, drops comments', () => {
    expect(lexer.statements(`SELECT 'a;b' AS "x;y" -- c;d\n FROM  T; /* e;f */ DROP TABLE t;`)).toEqual([`select '' as "" from t`, 'drop table t']);
    expect(lexer.statements(` ; -- only a comment\n;`)).toEqual([]);
  });

  it('reads the quotes and comments the rules name, and only those', () => {
    // a doubled quote, no backslash escape
    expect(lexer.statements(`SELECT 'it''s; \\'; DROP TABLE t`)).toEqual([`select ''`, 'drop table t']);
    // no dollar quotes, no backticks, no # comments
    expect(lexer.statements('SELECT $$; DROP TABLE t; $$')).toEqual(['select $$', 'drop table t', '$$']);
    expect(lexer.statements('SELECT `a; b`')).toEqual(['select `a', 'b`']);
    expect(lexer.statements('SELECT 1 # x; y')).toEqual(['select 1 # x', 'y']);
    // block comments do not nest; -- needs no space after it
    expect(lexer.statements('SELECT 1 /* a /* b */ c */; DROP TABLE t')).toEqual(['select 1 c */', 'drop table t']);
    expect(lexer.statements('SELECT 1--1; DROP TABLE t')).toEqual(['select 1']);
    // unterminated quoted text or comment runs to the end
    expect(lexer.statements(`SELECT 'a; DROP TABLE t`)).toEqual([`select ''`]);
    expect(lexer.statements('SELECT 1 /* a; DROP TABLE t')).toEqual(['select 1']);
  });

  it('matches and unquotes names as the rules quote them', () => {
    const name = new RegExp(`^${lexer.name}$`);
    expect(['"a b"', '"we""ird"', 'T1', 'schema.t'].every((n) => name.test(n))).toBe(true);
    expect(name.test('`a b`')).toBe(false);
    expect(['"We""ird"', 'MyTable'].map(lexer.bare)).toEqual(['We"ird', 'mytable']);
  });

  it('splits an action list on top-level commas, and finds a closing parenthesis', () => {
    expect(actions('add c numeric(10,2), drop d, add check (a in (1,2))')).toEqual(['add c numeric(10,2)', 'drop d', 'add check (a in (1,2))']);
    expect(closingParen('f(a, (b)) + 1', 1)).toBe(8);
    expect(closingParen('f(a', 1)).toBe(-1);
  });
});

describe('a classifier built from the lexer alone', () => {
  const RENAME = new RegExp(`^\\s*rename\\s+table\\s+(${lexer.name})\\s+to\\s+(${lexer.name})\\s*$`, 'i');
  const classifier = statementClassifier(lexer, {
    statement(s) {
      // Checks the rows of a table whose constraints changed; the common rules would take it for a session setting.
      if (/^set integrity\b/.test(s)) return 'validation';
      // Strings are emptied, so the command ADMIN_CMD runs (a REORG, a LOAD) cannot be read.
      if (/^call sysproc\.admin_cmd\b/.test(s)) return 'rewrite';
      if (/^rename table\b/.test(s)) return 'destructive';
      return null;
    },
    compensatedRename(sqls, i) {
      const rename = RENAME.exec(sqls[i]!);
      return rename !== null && viewOver(lexer, sqls.slice(i + 1), lexer.bare(rename[1]!), lexer.bare(rename[2]!));
    },
  });

  it.each<[string, StatementClass]>([
    ['SET INTEGRITY FOR "t" IMMEDIATE CHECKED', 'validation'],
    ['SET SCHEMA "app"', 'session'],
    ["CALL SYSPROC.ADMIN_CMD('REORG TABLE t')", 'rewrite'],
    ['CALL "app"."backfill"()', 'data'],
    ['RENAME TABLE "a" TO "b"', 'destructive'],
    // what the common rules know, every dialect's classifier knows
    ['CREATE TABLE "t" ("id" bigint NOT NULL)', 'additive'],
    ['ALTER TABLE "t" ADD COLUMN "c" varchar(10)', 'additive'],
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("n" > 0)', 'tightening'],
    ['ALTER TABLE "t" DROP COLUMN "c"', 'destructive'],
    ['ALTER TABLE "t" ALTER COLUMN "c" SET DEFAULT 0', 'additive'],
    ['SELECT 1; DROP TABLE "t"', 'destructive'],
    ["SELECT 'it''s; DROP TABLE t'", 'read'],
    // another dialect's rules are not its own: on Db2, SET NOT NULL leaves the table waiting for a REORG
    ['ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL', 'unknown'],
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("n" > 0) NOT VALID', 'tightening'],
    ['REINDEX TABLE "t"', 'unknown'],
    ['UNLOCK TABLES', 'unknown'],
  ])('%j is %s', (sql, expected) => {
    expect(classifier.classify(sql)).toBe(expected);
  });

  it('recognises its own compensated rename', () => {
    expect(classifier.compensatedRename(['RENAME TABLE "hosts" TO "machines"', 'CREATE VIEW "hosts" AS SELECT * FROM "machines"'], 0)).toBe(true);
    expect(classifier.compensatedRename(['RENAME TABLE "hosts" TO "machines"'], 0)).toBe(false);
  });

  it('compensates no rename when the dialect does not say how', () => {
    expect(statementClassifier(lexer).compensatedRename(['RENAME TABLE "hosts" TO "machines"', 'CREATE VIEW "hosts" AS SELECT * FROM "machines"'], 0)).toBe(false);
  });
});

describe('the common rules read alike in every dialect', () => {
  const dialects = [['postgres', postgresStatements], ['mysql', mysqlStatements], ['lexer alone', statementClassifier(lexer)]] as const;
  it.each<[string, StatementClass]>([
    ['create table if not exists t (a int)', 'additive'],
    ['ALTER TABLE t ADD COLUMN a int, DROP COLUMN b', 'destructive'],
    ['ALTER TABLE t ADD PRIMARY KEY (id)', 'tightening'],
    ['ALTER TABLE t DROP CONSTRAINT c', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c DROP DEFAULT', 'tightening'],
    ['WITH ids AS (SELECT id FROM users) DELETE FROM users WHERE id IN (SELECT id FROM ids)', 'destructive'],
    ['EXPLAIN ANALYZE UPDATE t SET a = 1', 'data'],
    ['EXPLAIN DELETE FROM users', 'read'],
    ['INSERT INTO t (a) VALUES (1)', 'data'],
    ['TRUNCATE users', 'destructive'],
    ['START TRANSACTION', 'session'],
    ['GRANT SELECT ON t TO reader', 'unknown'],
  ])('%j is %s', (sql, expected) => {
    for (const [name, classifier] of dialects) expect(classifier.classify(sql), name).toBe(expected);
  });
});
