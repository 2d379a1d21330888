import { describe, expect, it } from 'vitest';
import { db2Scan as scan } from '../../dialects/db2/scan.js';
import { db2Probe as probe } from '../../dialects/db2/probe.js';
import { columnKey, readIndexKeys } from '../../src/model/index-entry.js';
import type { ForeignKeyModel } from '../../src/model/schema-model.js';
import { T, column } from '../support/model-builders.js';

const fk = (over: Partial<ForeignKeyModel> = {}): ForeignKeyModel => ({
  name: 'f', columns: ['instance_uuid'], referencedTable: 'instances', referencedColumns: ['uuid'], onDelete: 'no action', onUpdate: 'no action', validated: true, ...over,
});

describe('db2 scan: offending rows', () => {
  it('NOT NULL, FOREIGN KEY and CHECK as the kit writes them, with Db2 names', () => {
    expect(scan.offenders('users', { kind: 'not-null', columns: ['a', 'b'] }, ['id'])).toBe('SELECT t."ID" FROM "USERS" t WHERE t."A" IS NULL OR t."B" IS NULL');
    expect(scan.offenders('consoles', { kind: 'foreign-key', foreignKey: fk() }, ['id'])).toBe(
      'SELECT t."ID" FROM "CONSOLES" t WHERE t."INSTANCE_UUID" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "INSTANCES" r WHERE r."UUID" = t."INSTANCE_UUID")',
    );
    expect(scan.offenders('p', { kind: 'check', check: { name: 'c', expression: 'price > 0', validated: true } }, [])).toBe('SELECT 1 AS one FROM "P" t WHERE NOT (price > 0)');
  });

  it('UNIQUE: the rank column is quoted, as a name starting with an underscore must be on Db2', () => {
    expect(scan.offenders('users', { kind: 'unique', keys: readIndexKeys(['tenant_id', 'email DESC'], ['tenant_id', 'email']), where: null }, ['id'])).toBe(
      'SELECT d."ID" FROM (SELECT "ID", row_number() OVER (PARTITION BY "TENANT_ID", "EMAIL" ORDER BY "ID") AS "_DBTIDE_RANK" ' +
        'FROM "USERS" WHERE "TENANT_ID" IS NOT NULL AND "EMAIL" IS NOT NULL) d WHERE d."_DBTIDE_RANK" > 1',
    );
    expect(scan.offenders('users', { kind: 'unique', keys: [columnKey('email')], where: null }, [])).not.toMatch(/[^"]_DBTIDE_RANK/i);
  });

  it('verification compares NULL-safely with IS DISTINCT FROM', () => {
    const sync = { table: 'p', trigger: 'tg', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: [] };
    expect(scan.offenders('p', { kind: 'verification', sync, exact: true }, ['id'])).toBe('SELECT t."ID" FROM "P" t WHERE t."TOTAL" IS DISTINCT FROM (a + b)');
  });
});

describe('db2 scan: ranges, pages and counts', () => {
  it('counts a row-local rule in a key range, bounds typed by the table', () => {
    expect(scan.countInRange('users', { kind: 'not-null', columns: ['email'] }, ['tenant_id', 'id'], true)).toBe(
      'WITH DBTIDE_K (DBTIDE_A1, DBTIDE_A2, DBTIDE_U1, DBTIDE_U2) AS (SELECT t."TENANT_ID", t."ID", t."TENANT_ID", t."ID" FROM "USERS" t WHERE 1 = 0 UNION ALL VALUES (?, ?, ?, ?)) ' +
        'SELECT COUNT(*) AS "n" FROM "USERS" t WHERE (t."TENANT_ID" > (SELECT DBTIDE_A1 FROM DBTIDE_K) OR (t."TENANT_ID" = (SELECT DBTIDE_A1 FROM DBTIDE_K) AND t."ID" > (SELECT DBTIDE_A2 FROM DBTIDE_K))) ' +
        'AND (t."TENANT_ID" < (SELECT DBTIDE_U1 FROM DBTIDE_K) OR (t."TENANT_ID" = (SELECT DBTIDE_U1 FROM DBTIDE_K) AND t."ID" <= (SELECT DBTIDE_U2 FROM DBTIDE_K))) ' +
        'AND (t."EMAIL" IS NULL)',
    );
    expect(() => scan.countInRange('users', { kind: 'unique', keys: [columnKey('email')], where: null }, ['id'], false)).toThrow(/not row-local/);
  });

  it('counts and pages offenders with FETCH FIRST, after a key given once per column', () => {
    const offenders = 'SELECT t."A", t."B" FROM "T" t WHERE t."C" IS NULL';
    expect(scan.count(offenders)).toBe(`SELECT COUNT(*) AS "n" FROM (${offenders}) o`);
    expect(scan.page(offenders, ['a', 'b'], false, 100)).toBe(`SELECT o.* FROM (${offenders}) o ORDER BY o."A", o."B" FETCH FIRST 100 ROWS ONLY`);
    const after = scan.page(offenders, ['a', 'b'], true, 100);
    expect(after).toBe(
      `WITH DBTIDE_K (DBTIDE_A1, DBTIDE_A2) AS (SELECT t."A", t."B" FROM (${offenders}) t WHERE 1 = 0 UNION ALL VALUES (?, ?)) ` +
        `SELECT o.* FROM (${offenders}) o WHERE (o."A" > (SELECT DBTIDE_A1 FROM DBTIDE_K) OR (o."A" = (SELECT DBTIDE_A1 FROM DBTIDE_K) AND o."B" > (SELECT DBTIDE_A2 FROM DBTIDE_K))) ` +
        'ORDER BY o."A", o."B" FETCH FIRST 100 ROWS ONLY',
    );
    expect(after).not.toMatch(/\(o\."A", o\."B"\) >/);
  });
});

describe('db2 scan: locks and repairs', () => {
  it('locks the listed offenders that still offend, keys without row values, keeping update locks', () => {
    expect(scan.lockOffenders('users', ['id'], 3, 'SELECT t."ID" FROM "USERS" t WHERE t."EMAIL" IS NULL')).toBe(
      'SELECT x."ID" FROM "USERS" x WHERE x."ID" IN (?, ?, ?) AND EXISTS (SELECT 1 FROM (SELECT t."ID" FROM "USERS" t WHERE t."EMAIL" IS NULL) o WHERE o."ID" = x."ID") ' +
        'WITH RS USE AND KEEP UPDATE LOCKS',
    );
    expect(scan.lockOffenders('m', ['a', 'b'], 2, 'SELECT t."A", t."B" FROM "M" t')).toContain(
      'WHERE ((x."A" = ? AND x."B" = ?) OR (x."A" = ? AND x."B" = ?)) AND EXISTS (SELECT 1 FROM (SELECT t."A", t."B" FROM "M" t) o WHERE o."A" = x."A" AND o."B" = x."B")',
    );
  });

  it('finds the child rows the listed parents alone reference, the parent keys given twice', () => {
    expect(scan.dependents({ table: 'consoles', key: ['id'] }, fk(), ['uuid'], 2)).toBe(
      'SELECT c."ID" FROM "CONSOLES" c WHERE EXISTS (SELECT 1 FROM "INSTANCES" p WHERE p."UUID" = c."INSTANCE_UUID" AND p."UUID" IN (?, ?)) ' +
        'AND NOT EXISTS (SELECT 1 FROM "INSTANCES" q WHERE q."UUID" = c."INSTANCE_UUID" AND NOT q."UUID" IN (?, ?)) WITH RS USE AND KEEP UPDATE LOCKS',
    );
  });

  it('archives, deletes and fills, each answering the rows it changed as n', () => {
    expect(scan.copyToShadow('users', 'shadow_users', ['id', 'email'], ['id'], 2)).toBe(
      'SELECT COUNT(*) AS "n" FROM FINAL TABLE (INSERT INTO "SHADOW_USERS" ("ID", "EMAIL", "DBTIDE_ARCHIVED_AT", "DBTIDE_REASON") ' +
        'SELECT x."ID", x."EMAIL", CURRENT TIMESTAMP - CURRENT TIMEZONE, CAST(? AS CLOB(1M)) FROM "USERS" x WHERE x."ID" IN (?, ?))',
    );
    expect(scan.deleteRows('m', ['a', 'b'], 1)).toBe('SELECT COUNT(*) AS "n" FROM OLD TABLE (DELETE FROM "M" WHERE (("A" = ? AND "B" = ?)))');
    expect(scan.fillDefault('users', column('status', T.varchar(10), { default: { kind: 'literal', value: 'new' } }), ['id'], 2)).toBe(
      `SELECT COUNT(*) AS "n" FROM OLD TABLE (UPDATE "USERS" SET "STATUS" = 'new' WHERE "ID" IN (?, ?) AND "STATUS" IS NULL)`,
    );
  });

  it('reads a shadow table from the catalog by its stored name and marks it with a comment', () => {
    expect(scan.shadowColumns('shadow_users')).toBe(
      'SELECT CASE WHEN c.COLNAME = UPPER(c.COLNAME) THEN LOWER(c.COLNAME) ELSE c.COLNAME END AS "column_name", COALESCE(t.REMARKS, \'\') AS "marker" ' +
        'FROM SYSCAT.TABLES t JOIN SYSCAT.COLUMNS c ON c.TABSCHEMA = t.TABSCHEMA AND c.TABNAME = t.TABNAME ' +
        "WHERE t.TABSCHEMA = CURRENT SCHEMA AND t.TABNAME = 'SHADOW_USERS' ORDER BY c.COLNO",
    );
    expect(scan.markShadow('shadow_users', 'users')).toEqual([`COMMENT ON TABLE "SHADOW_USERS" IS 'dbtide:shadow-of:users'`]);
  });
});

describe('db2 probe', () => {
  it('stands typed NULLs for columns and casts values to the column type', () => {
    expect(probe.nullOf(T.varchar(20))).toBe('CAST(NULL AS VARCHAR(20))');
    expect(probe.valueOf('a + 1', T.bigint)).toBe('CAST((a + 1) AS BIGINT)');
    expect(probe.defaultOf(column('at', T.timestamptz, { default: { kind: 'sql', expression: 'now()' } }))).toBe('CURRENT TIMESTAMP');
    expect(probe.defaultsReadRow).toBe(false);
  });
});
