import { describe, expect, it } from 'vitest';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import type { StatementClass } from '../../src/model/statement-class.js';

const classify = (sql: string) => postgresStatements.classify(sql);

describe('postgresStatements.classify', () => {
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
    // INDEX and KEY are not reserved here: without COLUMN, they are the names of the columns dropped
    ['ALTER TABLE t DROP index', 'destructive'],
    ['ALTER TABLE t DROP key', 'destructive'],
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
    // names with spaces, quotes, semicolons, accents
    ['ALTER TABLE t DROP prénom', 'destructive'],
    ['ALTER TABLE "semi;colon" ADD COLUMN "we""ird;" int', 'additive'],
    ['CREATE INDEX CONCURRENTLY "x;y" ON "User" ("with space", "we""ird" DESC)', 'additive'],
    // relaxing: a rule or an index goes, no data (the planner drops only tombstoned ones in expand)
    ['DROP INDEX CONCURRENTLY IF EXISTS "i"', 'relaxing'],
    ['ALTER TABLE "t" DROP CONSTRAINT IF EXISTS "c"', 'relaxing'],
    // a foreign key checked at commit is as relaxed as it gets; any other deferrability may check sooner
    ['ALTER TABLE "t" ALTER CONSTRAINT "c" DEFERRABLE INITIALLY DEFERRED', 'relaxing'],
    ['ALTER TABLE "t" ALTER CONSTRAINT "c" DEFERRABLE INITIALLY IMMEDIATE', 'tightening'],
    ['ALTER TABLE "t" ALTER CONSTRAINT "we ird" NOT DEFERRABLE', 'tightening'],
    ['ALTER TABLE "t" ALTER CONSTRAINT "c" DEFERRABLE', 'unknown'],
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
    expect(classify(sql)).toBe(expected);
  });

  // The simple query protocol runs every statement in the string, so the worst one counts.
  it('a destructive statement after a harmless one is not hidden', () => {
    expect(classify('SELECT 1; DROP TABLE users')).toBe('destructive');
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
    ['SELECT 1--1; DROP TABLE users', 'read'],
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
    ["SELECT 'it\\'s; DROP TABLE users'", 'destructive'],
    ['SELECT $1; DROP TABLE users; -- $1$', 'destructive'],
    ['CREATE FUNCTION f() RETURNS void AS $$ SELECT 1 $$ LANGUAGE sql; DROP TABLE users', 'destructive'],
    // # is an operator (bitwise xor) and a backtick an operator character: neither hides anything
    ['SELECT 5 # 3; DROP TABLE users', 'destructive'],
    ['SELECT 1 `; DROP TABLE users; -- `', 'destructive'],
    // the text of a MySQL executable comment is a comment's here
    ['ALTER TABLE t ADD COLUMN x int /*!, DROP COLUMN y */', 'additive'],
  ])('several statements: %j is %s', (sql, expected) => {
    expect(classify(sql)).toBe(expected);
  });

  // A data-modifying CTE changes rows; EXPLAIN ANALYZE executes its statement.
  it('a DELETE inside a WITH or under EXPLAIN ANALYZE is destructive', () => {
    expect(classify('WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d')).toBe('destructive');
    expect(classify('EXPLAIN ANALYZE DELETE FROM users')).toBe('destructive');
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
    ['EXPLAIN ANALYZE WITH d AS (DELETE FROM users RETURNING *) SELECT 1', 'destructive'],
  ])('WITH and EXPLAIN: %j is %s', (sql, expected) => {
    expect(classify(sql)).toBe(expected);
  });

  // The DSL accepts any name, so the planner's expand steps may name a column with a space.
  it('ALTER COLUMN on a quoted name with a space is classified by its action', () => {
    expect(classify('ALTER TABLE "t" ALTER COLUMN "my col" SET DEFAULT 0')).toBe('additive');
    expect(classify('ALTER TABLE "t" ALTER COLUMN "first name" SET DEFAULT \'x\'')).toBe('additive');
    expect(classify('ALTER TABLE "my t" ALTER COLUMN "a ""b"" c" DROP NOT NULL')).toBe('relaxing');
    expect(classify('ALTER TABLE t ALTER "set not null" SET NOT NULL')).toBe('tightening');
    expect(classify('ALTER TABLE "t" ALTER COLUMN "my col" TYPE bigint USING "my col"::bigint')).toBe('rewrite');
  });

  it("'--' inside a string literal is not a comment", () => {
    expect(classify("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> '--') NOT VALID")).toBe('additive');
    expect(classify("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> '/*') NOT VALID")).toBe('additive');
    expect(classify('ALTER TABLE t ADD CONSTRAINT "--c" CHECK (note <> $$--$$) NOT VALID')).toBe('additive');
    expect(classify("ALTER TABLE t ADD CONSTRAINT c CHECK (note <> E'\\'--') NOT VALID")).toBe('additive');
  });

  it('a table lock makes writers wait as a rewrite does', () => {
    expect(classify('LOCK TABLE "t" IN ACCESS EXCLUSIVE MODE')).toBe('rewrite');
  });

  it('a trailing semicolon does not change the class', () => {
    expect(classify('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;')).toBe('additive');
    expect(classify('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID ; \n')).toBe('additive');
    expect(classify('ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;; -- done')).toBe('additive');
  });
});

describe('postgresStatements.compensatedRename', () => {
  const rename = 'ALTER TABLE "hosts" RENAME TO "machines"';

  it('takes a table rename followed in the step by a view under the old name over the new one', () => {
    expect(postgresStatements.compensatedRename([rename, 'CREATE VIEW "hosts" AS SELECT * FROM "machines"'], 0)).toBe(true);
    expect(postgresStatements.compensatedRename(['alter table Hosts rename to "machines"', 'CREATE VIEW hosts AS SELECT * FROM "machines"'], 0)).toBe(true);
  });

  it('refuses a view before the rename, over another table, or under another name', () => {
    expect(postgresStatements.compensatedRename(['CREATE VIEW "hosts" AS SELECT * FROM "machines"', rename], 1)).toBe(false);
    expect(postgresStatements.compensatedRename([rename, 'CREATE VIEW "hosts" AS SELECT * FROM "other"'], 0)).toBe(false);
    expect(postgresStatements.compensatedRename([rename, 'CREATE VIEW "Hosts" AS SELECT * FROM "machines"'], 0)).toBe(false);
    expect(postgresStatements.compensatedRename([rename], 0)).toBe(false);
  });
});
