import { describe, expect, it } from 'vitest';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { classifyStatement, guardStatement, PolicyViolation, type StatementClass } from '../../src/execute/statement-guard.js';
import type { Phase } from '../../src/plan/step.js';

describe('classifyStatement', () => {
  it.each<[string, StatementClass]>([
    // creation
    ['CREATE TABLE "users" (id bigint)', 'additive'],
    ['create table if not exists t (a int)', 'additive'],
    ['CREATE INDEX "i" ON "t" ("a")', 'additive'],
    ['CREATE UNIQUE INDEX "i" ON "t" ("a")', 'additive'],
    ['CREATE INDEX CONCURRENTLY "i" ON "t" USING gin ("tags")', 'additive'],
    ['CREATE UNIQUE INDEX CONCURRENTLY i ON t (a) WHERE deleted_at IS NULL', 'additive'],
    ['CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql', 'additive'],
    ['CREATE EXTENSION IF NOT EXISTS pgcrypto', 'additive'],
    // ALTER TABLE: additive
    ['ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "email" text', 'additive'],
    ['ALTER TABLE users ADD email text', 'additive'],
    ['ALTER TABLE t ADD COLUMN c int DEFAULT 0 NOT NULL', 'additive'],
    ['ALTER TABLE "o" ADD CONSTRAINT "fk" FOREIGN KEY ("u") REFERENCES "users" ("id") ON DELETE CASCADE NOT VALID', 'additive'],
    ['ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) not   valid', 'additive'],
    ['ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID -- validated in migrate', 'additive'],
    ['ALTER TABLE "t" ALTER COLUMN "s" SET DEFAULT \'active\'', 'additive'],
    ['ALTER TABLE ONLY t ADD COLUMN x int', 'additive'],
    // relaxing
    ['ALTER TABLE "t" ALTER COLUMN "c" DROP NOT NULL', 'relaxing'],
    ['ALTER TABLE t ALTER c DROP NOT NULL', 'relaxing'],
    ['ALTER TABLE "t" ALTER COLUMN "c" TYPE varchar(64) USING "c"::varchar(64)', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c SET DATA TYPE text', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c TYPE character varying(100)', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c TYPE numeric(12,2)', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c SET DATA TYPE decimal(12,2)', 'relaxing'],
    ['ALTER TABLE t ALTER COLUMN c TYPE numeric USING c::numeric', 'relaxing'],
    // tightening
    ['ALTER TABLE "users" ADD CONSTRAINT "k" UNIQUE USING INDEX "k"', 'tightening'],
    ['ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY USING INDEX "users_pkey"', 'tightening'],
    ['ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0)', 'tightening'],
    ['ALTER TABLE t ADD PRIMARY KEY (id)', 'tightening'],
    ['ALTER TABLE t ADD UNIQUE (a)', 'tightening'],
    ['ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id) NOT VALID', 'tightening'],
    ['ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL', 'tightening'],
    ['ALTER TABLE "t" ALTER COLUMN "c" DROP DEFAULT', 'tightening'],
    // validation
    ['ALTER TABLE "t" VALIDATE CONSTRAINT "c"', 'validation'],
    // rewrite
    ['ALTER TABLE "t" ALTER COLUMN "n" TYPE bigint USING "n"::bigint', 'rewrite'],
    ['ALTER TABLE t ALTER n SET DATA TYPE uuid', 'rewrite'],
    // destructive
    ['DROP TABLE IF EXISTS "legacy"', 'destructive'],
    ['ALTER TABLE "t" DROP COLUMN IF EXISTS "c"', 'destructive'],
    ['ALTER TABLE t DROP c', 'destructive'],
    ['ALTER TABLE t DROP PRIMARY KEY', 'destructive'],
    ['TRUNCATE users', 'destructive'],
    ['DELETE FROM users WHERE id = 1', 'destructive'],
    ['ALTER TABLE t RENAME TO u', 'destructive'],
    ['ALTER TABLE t RENAME COLUMN a TO b', 'destructive'],
    ['ALTER INDEX i RENAME TO j', 'destructive'],
    ['ALTER TABLE IF EXISTS t DROP COLUMN x', 'destructive'],
    // multi-action ALTER TABLE: the worst action wins
    ['ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b DROP NOT NULL', 'relaxing'],
    ['ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b SET NOT NULL', 'tightening'],
    ['ALTER TABLE t ALTER COLUMN b TYPE bigint, ADD COLUMN a int', 'rewrite'],
    ['ALTER TABLE t ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c TYPE bigint', 'destructive'],
    ['ALTER TABLE t ADD COLUMN a int, VALIDATE CONSTRAINT c', 'validation'],
    ['ALTER TABLE t ADD COLUMN a numeric(10,2), ADD COLUMN b int', 'additive'],
    ['ALTER TABLE t ADD COLUMN a int, FROBNICATE', 'unknown'],
    // comments, white space, case
    ['/* dbtide */ DROP TABLE x', 'destructive'],
    ['-- a comment\n  alter\ttable\n t\n ADD   column x int', 'additive'],
    ['ALTER TABLE t /* drop column y */ ADD COLUMN x int', 'additive'],
    ['alter table T alter column C set not null', 'tightening'],
    // quoted identifiers containing keywords or commas
    ['ALTER TABLE "drop table" ADD COLUMN x int', 'additive'],
    ['ALTER TABLE "my table" ADD COLUMN "drop" int', 'additive'],
    ['ALTER TABLE t ADD COLUMN "a,drop column b" text', 'additive'],
    ['ALTER TABLE t ADD COLUMN "drop" int, ADD COLUMN "a,b" text', 'additive'],
    ['ALTER TABLE "public"."users" ADD COLUMN x int', 'additive'],
    // MySQL style
    ['ALTER TABLE `t` ADD COLUMN `c` int, ALGORITHM=INSTANT, LOCK=NONE', 'additive'],
    ['ALTER TABLE `t` ADD INDEX `i` (`a`, `b`), ALGORITHM=INPLACE, LOCK=NONE', 'additive'],
    ['ALTER TABLE `t` ADD COLUMN `x,y` int, ALGORITHM = INSTANT', 'additive'],
    ['ALTER TABLE `t` DROP `c`, ALGORITHM=INPLACE', 'destructive'],
    // names with spaces, quotes, backticks, semicolons, accents
    ['ALTER TABLE t DROP prénom', 'destructive'],
    ['ALTER TABLE "semi;colon" ADD COLUMN "we""ird;" int', 'additive'],
    ['ALTER TABLE `semi;colon` ADD COLUMN `back``tick; DROP TABLE t` int, ALGORITHM=INSTANT, LOCK=DEFAULT', 'additive'],
    ['CREATE INDEX CONCURRENTLY "x;y" ON "User" ("with space", "we""ird" DESC)', 'additive'],
    ['ALTER TABLE `User` ADD INDEX `i` (`prénom`, `a;b`(8)), ALGORITHM=INPLACE, LOCK=NONE', 'additive'],
    ['CREATE TRIGGER `t;1` BEFORE INSERT ON `a;b` FOR EACH ROW BEGIN SET NEW.`x;y` = NEW.`back``tick`; END', 'additive'],
    // relaxing: a rule or an index goes, no data (the planner drops only tombstoned ones in expand)
    ['DROP INDEX CONCURRENTLY IF EXISTS "i"', 'relaxing'],
    ['ALTER TABLE "t" DROP CONSTRAINT IF EXISTS "c"', 'relaxing'],
    ['ALTER TABLE `t` DROP INDEX `i`', 'relaxing'],
    ['ALTER TABLE `t` DROP KEY `i`, ALGORITHM=INPLACE, LOCK=NONE', 'relaxing'],
    ['ALTER TABLE `t` DROP FOREIGN KEY `fk`', 'relaxing'],
    ['ALTER TABLE `t` DROP CHECK `c`', 'relaxing'],
    ['ALTER TABLE `t` DROP INDEX `i`, DROP COLUMN `c`', 'destructive'],
    ['ALTER TABLE `t` MODIFY COLUMN `c` bigint', 'unknown'],
    // maintenance, session, read, data
    ['REINDEX INDEX CONCURRENTLY "i"', 'maintenance'],
    ["SET lock_timeout = '2s'", 'session'],
    ["SET LOCAL lock_timeout = '2000ms'", 'session'],
    ['BEGIN', 'session'],
    ['COMMIT', 'session'],
    ['ROLLBACK', 'session'],
    ['SELECT count(*) AS n FROM "users" WHERE "email" IS NULL', 'read'],
    ['  select 1', 'read'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
    ['SHOW server_version', 'read'],
    ['INSERT INTO t (a) VALUES (1)', 'data'],
    ['UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000', 'data'],
    ['CALL backfill()', 'data'],
    // unknown
    ['VACUUM t', 'unknown'],
    ['GRANT SELECT ON t TO reader', 'unknown'],
    ['COPY t FROM stdin', 'unknown'],
    ['ALTER TABLE t SET (fillfactor = 70)', 'unknown'],
    ['', 'unknown'],
  ])('%j is %s', (sql, expected) => {
    expect(classifyStatement(sql)).toBe(expected);
  });

  // The PostgreSQL simple query protocol runs every statement in the string, so the worst one counts.
  it('a destructive statement after a harmless one is not hidden', () => {
    expect(classifyStatement('SELECT 1; DROP TABLE users')).toBe('destructive');
  });

  it.each<[string, StatementClass]>([
    ['SELECT 1;DROP TABLE users;', 'destructive'],
    ["SET lock_timeout = '2s'; ALTER TABLE t ADD COLUMN x int", 'additive'],
    ['ALTER TABLE t ADD COLUMN x int;\n-- done\n;', 'additive'],
    ["UPDATE t SET a = 1; SELECT 1", 'data'],
    ['SELECT 1; FROBNICATE', 'unknown'],
    [';', 'unknown'],
    ['  ;  -- nothing\n', 'unknown'],
    // semicolons inside quoted text and comments do not split
    ["SELECT ';DROP TABLE users'", 'read'],
    ['SELECT 1 AS ";DROP TABLE users"', 'read'],
    ['SELECT 1 -- ; DROP TABLE users', 'read'],
    ['SELECT 1 /* ; DROP TABLE users */', 'read'],
    ['SELECT 1 /* nested /* ; */ ; DROP TABLE users */', 'read'],
    ["SELECT 'it''s; DROP TABLE users'", 'read'],
    ['CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END $$ LANGUAGE plpgsql', 'additive'],
    ['CREATE FUNCTION f() RETURNS void AS $body$ SELECT $$;$$; DELETE FROM t $body$ LANGUAGE sql', 'additive'],
    // ...but the statements around them still count
    ["SELECT ';'; DROP TABLE users", 'destructive'],
    ['SELECT 1 /* ; */; DROP TABLE users', 'destructive'],
    ['SELECT 1 /* a /* b */ c */; DROP TABLE users', 'destructive'],
    ["SELECT E'it\\'s'; DROP TABLE users; -- '", 'destructive'],
    ["SELECT 'C:\\'; DROP TABLE users; -- '", 'destructive'],
    ['SELECT $1; DROP TABLE users; -- $1$', 'destructive'],
    ['CREATE FUNCTION f() RETURNS void AS $$ SELECT 1 $$ LANGUAGE sql; DROP TABLE users', 'destructive'],
  ])('several statements: %j is %s', (sql, expected) => {
    expect(classifyStatement(sql)).toBe(expected);
  });

  // A data-modifying CTE changes rows; EXPLAIN ANALYZE executes its statement.
  it('a DELETE inside a WITH or under EXPLAIN ANALYZE is destructive', () => {
    expect(classifyStatement('WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d')).toBe('destructive');
    expect(classifyStatement('EXPLAIN ANALYZE DELETE FROM users')).toBe('destructive');
  });

  it.each<[string, StatementClass]>([
    ['WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9) SELECT * FROM n', 'read'],
    ['WITH a AS (SELECT 1), b AS MATERIALIZED (SELECT (2)) SELECT * FROM a, b', 'read'],
    ["WITH a AS (SELECT ')' AS p) SELECT * FROM a", 'read'],
    ['WITH v(x) AS (VALUES (1), (2)) SELECT x FROM v', 'read'],
    ['WITH a AS (SELECT 1), d AS (DELETE FROM users) SELECT 1', 'destructive'],
    ['WITH "my cte" AS NOT MATERIALIZED (DELETE FROM users RETURNING id) SELECT 1', 'destructive'],
    ['WITH i AS (INSERT INTO t (a) VALUES (1) RETURNING id) SELECT id FROM i', 'data'],
    ['WITH u AS (UPDATE t SET a = 1 RETURNING id) SELECT id FROM u', 'data'],
    ['WITH outer_cte AS (WITH d AS (DELETE FROM users RETURNING id) SELECT id FROM d) SELECT 1', 'destructive'],
    // the main statement of a WITH counts too
    ['WITH ids AS (SELECT id FROM users) DELETE FROM users WHERE id IN (SELECT id FROM ids)', 'destructive'],
    ['WITH ids AS (SELECT 1) UPDATE t SET a = 1', 'data'],
    ['WITH broken AS (SELECT 1', 'unknown'],
    ['WITH x AS (SELECT 1) FROBNICATE', 'unknown'],
    // EXPLAIN
    ['EXPLAIN DELETE FROM users', 'read'],
    ['EXPLAIN VERBOSE UPDATE t SET a = 1', 'read'],
    ['EXPLAIN (FORMAT JSON) DELETE FROM users', 'read'],
    ['EXPLAIN ANALYZE SELECT 1', 'read'],
    ['EXPLAIN ANALYSE VERBOSE UPDATE t SET a = 1', 'data'],
    ['EXPLAIN (ANALYZE, BUFFERS) DELETE FROM users', 'destructive'],
    ['explain(analyze)delete from users', 'destructive'],
    ['EXPLAIN ANALYZE FORMAT=TREE DELETE FROM users', 'destructive'],
    ['EXPLAIN ANALYZE WITH d AS (DELETE FROM users RETURNING *) SELECT 1', 'destructive'],
  ])('WITH and EXPLAIN: %j is %s', (sql, expected) => {
    expect(classifyStatement(sql)).toBe(expected);
  });

  // The DSL accepts any name, so the planner's expand steps may name a column with a space.
  it('ALTER COLUMN on a quoted name with a space is classified by its action', () => {
    expect(classifyStatement('ALTER TABLE "t" ALTER COLUMN "my col" SET DEFAULT 0')).toBe('additive');
    expect(classifyStatement('ALTER TABLE "t" ALTER COLUMN "first name" SET DEFAULT \'x\'')).toBe('additive');
    expect(classifyStatement('ALTER TABLE "my t" ALTER COLUMN "a ""b"" c" DROP NOT NULL')).toBe('relaxing');
    expect(classifyStatement('ALTER TABLE t ALTER "set not null" SET NOT NULL')).toBe('tightening');
    expect(classifyStatement('ALTER TABLE `t` ALTER COLUMN `my col` DROP DEFAULT')).toBe('tightening');
    expect(classifyStatement('ALTER TABLE "t" ALTER COLUMN "my col" TYPE bigint USING "my col"::bigint')).toBe('rewrite');
  });

  it("'--' inside a string literal is not a comment", () => {
    expect(classifyStatement("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> '--') NOT VALID")).toBe('additive');
    expect(classifyStatement("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> '/*') NOT VALID")).toBe('additive');
    expect(classifyStatement('ALTER TABLE t ADD CONSTRAINT "--c" CHECK (note <> $$--$$) NOT VALID')).toBe('additive');
    expect(classifyStatement("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> E'\\'--') NOT VALID")).toBe('additive');
  });

  it('a table lock makes writers wait as a rewrite does; releasing it is session state', () => {
    expect(classifyStatement('LOCK TABLES `t` WRITE')).toBe('rewrite');
    expect(classifyStatement('LOCK TABLE "t" IN ACCESS EXCLUSIVE MODE')).toBe('rewrite');
    expect(classifyStatement('UNLOCK TABLES')).toBe('session');
  });

  it('a trailing semicolon does not change the class', () => {
    expect(classifyStatement('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;')).toBe('additive');
    expect(classifyStatement('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID ; \n')).toBe('additive');
    expect(classifyStatement('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;; -- done')).toBe('additive');
  });
});

describe('guardStatement', () => {
  const refused = (phase: Phase, sql: string, cls: StatementClass) => {
    let error: unknown;
    try {
      guardStatement(phase, sql);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolation);
    const v = error as PolicyViolation;
    expect([v.name, v.phase, v.statement, v.statementClass]).toEqual(['PolicyViolation', phase, sql, cls]);
    expect(v.message).toBe(
      `refused: a ${cls} statement may not run in ${phase} while old application code is live:\n  ${sql}\n` +
        'Destructive, rewriting and unrecognized statements run only in contract.',
    );
  };

  const destructive = 'DROP TABLE IF EXISTS "legacy"';
  const rewrite = 'ALTER TABLE "t" ALTER COLUMN "n" TYPE bigint USING "n"::bigint';
  const unknown = 'VACUUM FULL t';
  const tightening = 'ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL';
  const validation = 'ALTER TABLE "t" VALIDATE CONSTRAINT "c"';
  const data = 'UPDATE t SET a = b WHERE id < 1000';

  it.each<[string, StatementClass]>([
    [destructive, 'destructive'],
    [rewrite, 'rewrite'],
    [unknown, 'unknown'],
  ])('refuses %j (%s) in expand and migrate, allows it in contract', (sql, cls) => {
    refused('expand', sql, cls);
    refused('migrate', sql, cls);
    expect(() => guardStatement('contract', sql)).not.toThrow();
  });

  it('a table lock runs only in contract', () => {
    refused('expand', 'LOCK TABLES `t` WRITE', 'rewrite');
    refused('migrate', 'LOCK TABLES `t` WRITE', 'rewrite');
    expect(() => guardStatement('contract', 'LOCK TABLES `t` WRITE')).not.toThrow();
  });

  it('allows tightening in expand (new objects) and contract, not in migrate', () => {
    expect(() => guardStatement('expand', tightening)).not.toThrow();
    refused('migrate', tightening, 'tightening');
    expect(() => guardStatement('contract', tightening)).not.toThrow();
  });

  it('allows validation and data in migrate and contract, not in expand', () => {
    for (const [sql, cls] of [[validation, 'validation'], [data, 'data']] as const) {
      refused('expand', sql, cls);
      expect(() => guardStatement('migrate', sql)).not.toThrow();
      expect(() => guardStatement('contract', sql)).not.toThrow();
    }
  });

  it.each(['expand', 'migrate', 'contract'] as const)('allows read, session, additive, relaxing and maintenance in %s', (phase) => {
    for (const sql of [
      'SELECT 1',
      "SET lock_timeout = '2s'",
      'CREATE INDEX CONCURRENTLY i ON t (a)',
      'ALTER TABLE t ALTER COLUMN c DROP NOT NULL',
      'REINDEX INDEX CONCURRENTLY i',
    ]) {
      expect(() => guardStatement(phase, sql)).not.toThrow();
    }
  });

  it('a destructive action inside a multi-action ALTER TABLE is refused in expand', () => {
    refused('expand', 'ALTER TABLE t ADD COLUMN a int, DROP COLUMN b', 'destructive');
  });

  // numeric(10,2) -> numeric(12,2) is metadata-only for PostgreSQL (capabilities), so the planner
  // schedules it in expand. The guard cannot see the old type and trusts the planner for it.
  it('the metadata-only numeric widening the planner puts in expand passes the guard there', () => {
    const sql = postgresCompiler.alterColumnType('orders', { name: 'amount', type: { kind: 'numeric', precision: 12, scale: 2 }, nullable: true, default: null, identity: null }, { inPlace: true });
    expect(sql.sql).toBe('ALTER TABLE "orders" ALTER COLUMN "amount" TYPE numeric(12,2) USING "amount"::numeric(12,2)');
    expect(() => guardStatement('expand', sql.sql)).not.toThrow();
  });
});
