import { describe, expect, it } from 'vitest';
import { db2Statements } from '../../dialects/db2/statement-classes.js';
import type { StatementClass } from '../../src/model/statement-class.js';
import { DB2_EMITTED } from '../support/db2-emitted-sql.js';

/** What the phase policy must make of each statement the Db2 dialect emits. */
const EXPECTED: Record<keyof typeof DB2_EMITTED, StatementClass> = {
  createTable: 'additive',
  dropTable: 'destructive',
  addColumn: 'additive',
  dropColumn: 'destructive',
  lengthenVarchar: 'relaxing',
  // REORG-recommended: contract only
  changeType: 'rewrite',
  setNotNull: 'rewrite',
  dropNotNull: 'rewrite',
  setDefault: 'additive',
  dropDefault: 'tightening',
  createIndex: 'additive',
  createUniqueIndex: 'additive',
  dropIndex: 'relaxing',
  addPrimaryKey: 'tightening',
  addUnique: 'tightening',
  addForeignKey: 'tightening',
  addCheck: 'tightening',
  dropPrimaryKey: 'destructive',
  dropUnique: 'relaxing',
  dropForeignKey: 'relaxing',
  dropCheck: 'relaxing',
  renameColumn: 'destructive',
  renameIndex: 'destructive',
  commentOnTable: 'additive',
  commentOnColumn: 'additive',
  reorgTable: 'rewrite',
  ensureQuiet: 'additive',
  updateTrigger: 'additive',
  insertTrigger: 'additive',
  dropTrigger: 'destructive',
  // compensated by the alias view in the same step (tested with the transitions)
  renameTable: 'destructive',
  aliasView: 'additive',
  dropAlias: 'destructive',
  // A rollback's, under contract's policy.
  restoreTableName: 'destructive',
  createSchema: 'additive',
  markerView: 'additive',
  versionView: 'additive',
  dropVersionView: 'destructive',
  dropSchema: 'destructive',
  markedSchemas: 'read',
  relationsOf: 'read',
  lastKey: 'read',
  batchEnd: 'read',
  backfillUpdate: 'data',
  quietOn: 'additive',
  setQuietOn: 'session',
  setQuietOff: 'session',
  offenders: 'read',
  duplicates: 'read',
  countInRange: 'read',
  count: 'read',
  page: 'read',
  lockOffenders: 'read',
  dependents: 'read',
  copyToShadow: 'data',
  deleteRows: 'destructive',
  fillDefault: 'data',
  shadowColumns: 'read',
  markShadow: 'additive',
};

describe('db2Statements: what the dialect emits', () => {
  it.each(Object.entries(DB2_EMITTED))('%s', (name, sql) => {
    expect(db2Statements.classify(sql)).toBe(EXPECTED[name as keyof typeof DB2_EMITTED]);
    // a compound statement or trigger body, semicolons and all, is one statement to the server
    expect(db2Statements.count(sql)).toBe(1);
  });
});

describe('db2Statements: Db2 statements the common rules do not know', () => {
  it.each<[string, StatementClass]>([
    ['SET CURRENT LOCK TIMEOUT WAIT 5', 'session'],
    ['SET CURRENT LOCK TIMEOUT NULL', 'session'],
    ['SET SCHEMA "APP"', 'session'],
    ['SET INTEGRITY FOR "T" IMMEDIATE CHECKED', 'validation'],
    ['SET INTEGRITY FOR "T" ALLOW READ ACCESS IMMEDIATE CHECKED', 'validation'],
    ["CALL SYSPROC.ADMIN_CMD('REORG INDEXES ALL FOR TABLE T ALLOW WRITE ACCESS')", 'rewrite'],
    ["CALL SYSPROC.ADMIN_DROP_SCHEMA('APP_V2', NULL, 'ERRSCHEMA', 'ERRTAB')", 'destructive'],
    ['CALL "APP"."BACKFILL"()', 'data'],
    ['RENAME "A" TO "B"', 'destructive'],
    ['CREATE OR REPLACE VIEW "V" AS SELECT 1 AS one FROM SYSIBM.SYSDUMMY1', 'additive'],
    ['CREATE VARIABLE "APP"."FLAG" SMALLINT DEFAULT 0', 'additive'],
    ['DROP VARIABLE "FLAG"', 'destructive'],
    ['ALTER TABLE "T" ALTER COLUMN "C" SET DATA TYPE DECIMAL(12,2)', 'rewrite'],
    ['ALTER TABLE "T" ALTER "C" SET DATA TYPE VARCHAR (40)', 'relaxing'],
    ['SELECT * FROM FINAL TABLE (INSERT INTO "T" ("A") VALUES (1))', 'data'],
    ['SELECT COUNT(*) FROM NEW TABLE (UPDATE "T" SET "A" = 1)', 'data'],
    ['WITH k (a) AS (VALUES 1) SELECT COUNT(*) FROM OLD TABLE (DELETE FROM "T")', 'destructive'],
    ['SELECT (SELECT COUNT(*) FROM OLD TABLE (DELETE FROM "T")) FROM SYSIBM.SYSDUMMY1', 'destructive'],
    ['SELECT COUNT(*) FROM OLD TABLE (DELETE FROM "T"', 'unknown'],
  ])('%j is %s', (sql, expected) => {
    expect(db2Statements.classify(sql)).toBe(expected);
  });
});

describe('db2Statements: what hides in quotes, comments and compound statements', () => {
  it('reads a destructive statement inside a string or comment as text, not as a statement', () => {
    expect(db2Statements.classify(`COMMENT ON TABLE "T" IS 'x''; DROP TABLE "T"; --'`)).toBe('additive');
    expect(db2Statements.classify(`SELECT 'DROP TABLE t' AS "x;y" FROM SYSIBM.SYSDUMMY1 -- ; DROP TABLE t`)).toBe('read');
    expect(db2Statements.classify('SELECT 1 FROM SYSIBM.SYSDUMMY1 /* ; DROP TABLE t */')).toBe('read');
    expect(db2Statements.classify('SELECT 1 FROM SYSIBM.SYSDUMMY1; DROP TABLE "T"')).toBe('destructive');
  });

  it('reads the string EXECUTE IMMEDIATE runs: dbtide\'s create-unless-found compound is additive only when it creates', () => {
    const compound = (run: string) =>
      `BEGIN\n  IF NOT EXISTS (SELECT 1 FROM SYSCAT.SCHEMATA WHERE SCHEMANAME = 'S') THEN\n    EXECUTE IMMEDIATE ${run};\n  END IF;\nEND`;
    expect(db2Statements.classify(compound(`'CREATE SCHEMA "S"'`))).toBe('additive');
    expect(db2Statements.classify(compound(`'DROP TABLE "T"'`))).toBe('unknown');
    expect(db2Statements.classify(compound(`'CREATE SCHEMA "S"; DROP TABLE "T"'`))).toBe('unknown');
    expect(db2Statements.classify(compound(`/* hidden */ 'DROP TABLE "T"'`))).toBe('unknown');
    expect(db2Statements.classify(compound(`'CREATE SCHEMA ' || 'X'`))).toBe('unknown');
    expect(db2Statements.classify(compound('stmt'))).toBe('unknown');
    expect(db2Statements.classify(`${compound(`'CREATE SCHEMA "S"'`)} /*`)).toBe('additive');
    expect(db2Statements.classify(`${compound(`'DROP TABLE "T"'`)} /*`)).toBe('unknown');
  });

  it('takes any other compound statement as unknown, whatever it holds', () => {
    expect(db2Statements.classify('BEGIN\n  DELETE FROM "T";\nEND')).toBe('unknown');
    expect(db2Statements.classify('BEGIN ATOMIC\n  UPDATE "T" SET "A" = 1;\nEND')).toBe('unknown');
    expect(db2Statements.classify('BEGIN\n  DECLARE n INT;\n  SET n = 1;\nEND')).toBe('unknown');
    expect(db2Statements.classify('BEGIN\n  DECLARE n INT;\n  SET n = (SELECT COUNT(*) FROM OLD TABLE (UPDATE "T" SET "A" = 1));\nEND')).toBe('unknown');
    expect(db2Statements.count('BEGIN\n  DELETE FROM "T";\nEND; DROP TABLE "U"')).toBe(2);
    expect(db2Statements.classify('BEGIN\n  DELETE FROM "T";\nEND; DROP TABLE "U"')).toBe('unknown');
  });

  it('reads a trigger, body and all, as one additive statement', () => {
    const trigger = 'CREATE TRIGGER "TG" NO CASCADE BEFORE INSERT ON "T" REFERENCING NEW AS N FOR EACH ROW BEGIN ATOMIC SET N."A" = 1; SET N."B" = 2; END';
    expect(db2Statements.count(trigger)).toBe(1);
    expect(db2Statements.classify(trigger)).toBe('additive');
    expect(db2Statements.count(`${trigger}; DROP TABLE "T"`)).toBe(2);
    expect(db2Statements.classify(`${trigger}; DROP TABLE "T"`)).toBe('destructive');
  });

  it('calls what it does not know unknown', () => {
    for (const sql of ['REORG TABLE "T"', 'GRANT SELECT ON "T" TO USER BOB', 'LOAD FROM x OF DEL INSERT INTO t', 'TRANSFER OWNERSHIP OF TABLE "T" TO USER BOB', '']) {
      expect(db2Statements.classify(sql), sql).toBe('unknown');
    }
  });
});
