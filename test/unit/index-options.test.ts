/**
 * Covering columns (INCLUDE) and NULLS NOT DISTINCT: declared, compared, compiled, rendered, and
 * refused where the server cannot build them.
 */
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler as sql } from '../../dialects/postgres/compiler.js';
import { postgresScan } from '../../dialects/postgres/scan.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { DeclarationError, type DeclarationIssue } from '../../src/declaration/declaration-error.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import { diff } from '../../src/diff/diff.js';
import { DbtideError } from '../../src/errors.js';
import { columnUsers, keyedTable } from '../../src/model/column-users.js';
import { columnKey } from '../../src/model/index-entry.js';
import { emptyTombstones, type DeclaredSchema, type KeyConstraint, type TableModel } from '../../src/model/schema-model.js';
import { refuseIndexOptions, unbuildableIndexOptions } from '../../src/plan/index-options.js';
import { plan } from '../../src/plan/planner.js';
import { T, column as col, idColumn, index, table } from '../support/model-builders.js';

const USERS: TableInput['columns'] = { id: 'bigint', email: 'text', name: 'text', tenant_id: 'bigint' };

const declare = (input: Omit<TableInput, 'columns'>) =>
  normalizeSchema(defineSchema({ release: 'r', tables: { users: { columns: USERS, primaryKey: ['id'], ...input } } }));

function issuesOf(input: Omit<TableInput, 'columns'>): DeclarationIssue[] {
  try {
    declare(input);
    return [];
  } catch (error) {
    if (error instanceof DeclarationError) return error.issues;
    throw error;
  }
}

const users = (parts: Partial<TableModel> = {}) =>
  table('users', { columns: [idColumn(), col('email'), col('name'), col('tenant_id', T.bigint)], ...parts });

const declared = (t: TableModel): DeclaredSchema => ({ release: 'r', model: { tables: { [t.name]: t } }, removed: emptyTombstones(), transitions: [] });

describe('index options in the declaration', () => {
  it('default to no covering columns and NULLs distinct', () => {
    const [idx] = declare({ indexes: [{ columns: ['email'] }] }).model.tables.users!.indexes;
    expect(idx).toMatchObject({ include: [], nullsNotDistinct: false });
  });

  it('are kept as declared, on indexes and on unique keys', () => {
    const t = declare({
      indexes: [{ columns: ['email'], unique: true, include: ['name', 'tenant_id'], nullsNotDistinct: true }],
      uniques: [{ columns: ['name'], nullsNotDistinct: true }, { columns: ['tenant_id'] }],
    }).model.tables.users!;
    expect(t.indexes[0]).toMatchObject({ columns: ['email'], include: ['name', 'tenant_id'], nullsNotDistinct: true });
    expect(t.uniques).toEqual([
      { name: 'users_name_key', columns: ['name'], nullsNotDistinct: true },
      { name: 'users_tenant_id_key', columns: ['tenant_id'] },
    ]);
  });

  it('refuses covering columns that are not columns of the table, are key columns, or are listed twice', () => {
    expect(issuesOf({ indexes: [{ name: 'i', columns: ['email DESC', 'lower(name)'], include: ['nope', 'email', 'tenant_id', 'tenant_id'] }] })).toEqual([
      { path: 'tables.users.indexes.i', message: 'unknown include column "nope"' },
      { path: 'tables.users.indexes.i', message: 'include column "tenant_id" is listed twice' },
    ]);
    expect(issuesOf({ indexes: [{ name: 'i', columns: ['email DESC', 'lower(name)'], include: ['email', 'name'] }] })).toEqual([
      { path: 'tables.users.indexes.i', message: 'include column "email" is already a key column of the index' },
    ]);
  });

  it('refuses nullsNotDistinct on an index that is not unique', () => {
    expect(issuesOf({ indexes: [{ name: 'i', columns: ['email'], nullsNotDistinct: true }] })).toEqual([
      { path: 'tables.users.indexes.i', message: 'nullsNotDistinct needs a unique index (`unique: true`)' },
    ]);
  });

  it('refuses options of the wrong shape before anything is merged', () => {
    expect(() => defineSchema({ release: 'r', tables: { users: { columns: USERS, indexes: [{ columns: ['email'], include: 'name' as never }] } } })).toThrow(
      /tables\.users\.indexes\[0\]\.include/,
    );
    expect(() => defineSchema({ release: 'r', tables: { users: { columns: USERS, uniques: [{ columns: ['email'], nullsNotDistinct: 'yes' as never }] } } })).toThrow(
      /tables\.users\.uniques\[0\]\.nullsNotDistinct/,
    );
  });
});

describe('index options in the comparison', () => {
  const live = index('users_email_idx', ['email'], { unique: true });

  it.each([
    ['covering columns added', { include: ['name'] }, { include: [] }],
    ['covering columns changed', { include: ['name'] }, { include: ['tenant_id'] }],
    ['covering columns reordered', { include: ['name', 'tenant_id'] }, { include: ['tenant_id', 'name'] }],
    ['NULLS NOT DISTINCT dropped', { nullsNotDistinct: false }, { nullsNotDistinct: true }],
    ['NULLS NOT DISTINCT added', { nullsNotDistinct: true }, { nullsNotDistinct: false }],
  ])('%s: the index is redefined (drop-index + add-index)', (_what, want, have) => {
    const declaredIndex = { ...live, ...want };
    expect(diff(declared(users({ indexes: [declaredIndex] })), { tables: { users: users({ indexes: [{ ...live, ...have }] }) } })).toEqual([
      { kind: 'drop-index', table: 'users', name: 'users_email_idx' },
      { kind: 'add-index', table: 'users', index: declaredIndex },
    ]);
  });

  it('the same options are no change', () => {
    const same = { ...live, include: ['name'], nullsNotDistinct: true };
    expect(diff(declared(users({ indexes: [same] })), { tables: { users: users({ indexes: [structuredClone(same)] }) } })).toEqual([]);
  });

  it('a unique key whose NULLS NOT DISTINCT differs is dropped and added again', () => {
    const key: KeyConstraint = { name: 'users_email_key', columns: ['email'] };
    const strict: KeyConstraint = { ...key, nullsNotDistinct: true };
    expect(diff(declared(users({ uniques: [key] })), { tables: { users: users({ uniques: [strict] }) } })).toEqual([
      { kind: 'drop-constraint', table: 'users', name: 'users_email_key', constraint: 'unique' },
      { kind: 'add-unique', table: 'users', key, existingIndex: null },
    ]);
    expect(diff(declared(users({ uniques: [strict] })), { tables: { users: users({ uniques: [{ ...key, nullsNotDistinct: false }] }) } })).toHaveLength(2);
    expect(diff(declared(users({ uniques: [{ ...key, nullsNotDistinct: false }] })), { tables: { users: users({ uniques: [key] }) } })).toEqual([]);
  });
});

describe('index options on PostgreSQL', () => {
  const keys = [columnKey('email')];

  it.each([
    [{ include: ['name', 'tenant_id'] }, false, 'CREATE INDEX "i" ON "users" ("email") INCLUDE ("name", "tenant_id")'],
    [{ unique: true, nullsNotDistinct: true }, true, 'CREATE UNIQUE INDEX CONCURRENTLY "i" ON "users" ("email") NULLS NOT DISTINCT'],
    [
      { unique: true, include: ['Display Name'], nullsNotDistinct: true, where: 'tenant_id > 0' },
      true,
      'CREATE UNIQUE INDEX CONCURRENTLY "i" ON "users" ("email") INCLUDE ("Display Name") NULLS NOT DISTINCT WHERE tenant_id > 0',
    ],
    [{ using: 'gist', include: ['name'] }, false, 'CREATE INDEX "i" ON "users" USING gist ("email") INCLUDE ("name")'],
  ])('createIndex %j (online: %s)', (extra, online, expected) => {
    expect(sql.createIndex('users', index('i', ['email'], extra), keys, { online }).sql).toBe(expected);
  });

  it('a unique key with NULLS NOT DISTINCT: in CREATE TABLE, added whole, or adopting its index', () => {
    const key: KeyConstraint = { name: 'users_email_key', columns: ['email'], nullsNotDistinct: true };
    expect(sql.createTable(users({ uniques: [key] })).sql).toContain('CONSTRAINT "users_email_key" UNIQUE NULLS NOT DISTINCT ("email")');
    expect(sql.addUnique('users', key, { usingIndex: null }).sql).toBe('ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE NULLS NOT DISTINCT ("email")');
    expect(sql.addUnique('users', key, { usingIndex: 'users_email_key' }).sql).toBe(
      'ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE USING INDEX "users_email_key"',
    );
  });

  const run = (changes: Parameters<typeof plan>[0]) =>
    plan(changes, { caps: postgresCapabilities('15.4'), sql, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: { users: users() } });

  it('a unique key with NULLS NOT DISTINCT builds its index with it, then adopts it; the precheck counts NULLs', () => {
    const key: KeyConstraint = { name: 'users_email_key', columns: ['email'], nullsNotDistinct: true };
    const [step] = run([{ kind: 'add-unique', table: 'users', key, existingIndex: null }]).steps;
    expect(step!.sql).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "users" ("email") NULLS NOT DISTINCT',
      'ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE USING INDEX "users_email_key"',
    ]);
    expect(step!.prechecks.map((p) => [p.description, p.rule])).toEqual([
      ['(email) in users has no duplicates (NULLs included)', { kind: 'unique', keys: [columnKey('email')], where: null, nullsNotDistinct: true }],
    ]);
  });

  it('a unique index with NULLS NOT DISTINCT is prechecked with NULLs; covering columns are built after the columns they name', () => {
    const idx = index('users_email_bio_idx', ['email'], { unique: true, include: ['bio'], nullsNotDistinct: true });
    const steps = run([
      { kind: 'add-index', table: 'users', index: idx },
      { kind: 'add-column', table: 'users', column: col('bio') },
    ]).steps;
    expect(steps.map((s) => s.id)).toEqual(['add-column:users.bio', 'add-index:users.users_email_bio_idx']);
    expect(steps[1]!.prechecks[0]!.rule).toEqual({ kind: 'unique', keys: [columnKey('email')], where: null, nullsNotDistinct: true });
  });

  it('the duplicate scan keeps rows with NULL keys when NULLs are not distinct', () => {
    expect(postgresScan.offenders('users', { kind: 'unique', keys: [columnKey('email')], where: null, nullsNotDistinct: true }, ['id'])).toBe(
      'SELECT d."id" FROM (SELECT "id", row_number() OVER (PARTITION BY "email" ORDER BY "id") AS "_dbtide_rank" FROM "users") d WHERE d."_dbtide_rank" > 1',
    );
    expect(postgresScan.offenders('users', { kind: 'unique', keys: [columnKey('email')], where: 'id > 0', nullsNotDistinct: true }, [])).toBe(
      'SELECT 1 AS one FROM (SELECT row_number() OVER (PARTITION BY "email") AS "_dbtide_rank" FROM "users" WHERE (id > 0)) d WHERE d."_dbtide_rank" > 1',
    );
  });
});

describe('index options a server cannot build', () => {
  const release = declared(
    users({
      indexes: [
        index('users_email_idx', ['email'], { include: ['name'] }),
        index('users_name_key_idx', ['name'], { unique: true, nullsNotDistinct: true }),
        index('users_plain_idx', ['tenant_id']),
      ],
      uniques: [{ name: 'users_tenant_key', columns: ['tenant_id'], nullsNotDistinct: true }],
    }),
  );

  it.each(['10.11.6-MariaDB', '8.0.36'])('MySQL and MariaDB (%s) have neither: each index is named', (version) => {
    const caps = mysqlCapabilities(version);
    expect(unbuildableIndexOptions(release, caps)).toEqual([
      `tables.users.indexes.users_email_idx: include (name) needs covering columns, which ${caps.server} does not have`,
      `tables.users.indexes.users_name_key_idx: nullsNotDistinct needs NULLS NOT DISTINCT, which ${caps.server} does not have`,
      `tables.users.uniques.users_tenant_key: nullsNotDistinct needs NULLS NOT DISTINCT, which ${caps.server} does not have`,
    ]);
  });

  it('PostgreSQL 14 has covering columns but not NULLS NOT DISTINCT; 15 has both', () => {
    expect(unbuildableIndexOptions(release, postgresCapabilities('14.11'))).toEqual([
      'tables.users.indexes.users_name_key_idx: nullsNotDistinct needs NULLS NOT DISTINCT, which PostgreSQL 14.11 does not have',
      'tables.users.uniques.users_tenant_key: nullsNotDistinct needs NULLS NOT DISTINCT, which PostgreSQL 14.11 does not have',
    ]);
    expect(unbuildableIndexOptions(release, postgresCapabilities('15.4'))).toEqual([]);
    expect(() => refuseIndexOptions(release, postgresCapabilities('15.4'))).not.toThrow();
  });

  it('the release is refused with one error naming the server and each index', () => {
    const refuse = () => refuseIndexOptions(release, postgresCapabilities('14.11'));
    expect(refuse).toThrow(DbtideError);
    expect(refuse).toThrow(/^release r declares index options PostgreSQL 14\.11 cannot build; nothing was changed:\n {2}tables\.users\.indexes\.users_name_key_idx: /);
  });
});

describe('index options elsewhere', () => {
  it('pull writes them where they are set', () => {
    const model = {
      tables: {
        users: users({
          primaryKey: { name: 'users_pkey', columns: ['id'] },
          indexes: [
            index('users_email_idx', ['email'], { include: ['name', 'tenant_id'] }),
            index('users_name_idx', ['name DESC NULLS LAST'], { unique: true, nullsNotDistinct: true }),
          ],
          uniques: [{ name: 'users_tenant_id_key', columns: ['tenant_id'], nullsNotDistinct: true }],
        }),
      },
    };
    const source = renderDeclaration(model, { release: 'r' });
    expect(source).toContain("{ columns: ['email'], include: ['name', 'tenant_id'] }");
    expect(source).toMatch(/name: 'users_name_idx',\s+columns: \['name DESC NULLS LAST'\],\s+unique: true,\s+nullsNotDistinct: true,/);
    expect(source).toContain("{ columns: ['tenant_id'], nullsNotDistinct: true }");
  });

  it('a covering column is a user of its column, as a key column is', () => {
    const t = users({ indexes: [index('users_email_idx', ['email'], { include: ['name'] })] });
    expect(columnUsers(keyedTable(t), 'name', [keyedTable(t)])).toEqual([
      { kind: 'index', name: 'users_email_idx', label: 'index users_email_idx', unique: false, viaExpression: false },
    ]);
  });
});
