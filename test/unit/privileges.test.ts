import { describe, expect, it } from 'vitest';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { holds, parseGrants } from '../../dialects/mysql/privileges.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { SchemaInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType, dataMove, renameColumn, renameTable } from '../../src/declaration/transitions.js';
import { diff } from '../../src/diff/diff.js';
import { ledgerNeeds, needsContext, phaseNeeds, privilegeRefusal, referencedTables } from '../../src/execute/privileges.js';
import type { DeclaredSchema, SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects, type OwnedObjects } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import { stepsOf, type Phase } from '../../src/plan/step.js';
import { T, column as col, idColumn, index, table } from '../support/model-builders.js';
import type { PrivilegeNeed } from '../../src/model/privileges.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    people: { columns: { id: 'bigint', nick: 'text', score: 'int', boss_id: 'bigint' }, primaryKey: ['id'] },
    hosts: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'], indexes: [{ columns: ['name'] }] },
  },
});
const release = (input: Omit<SchemaInput, 'release' | 'extends'>) => normalizeSchema(defineSchema({ release: 'v2', extends: v1, ...input }));

const livePeople: TableModel = table('people', { columns: [idColumn(), col('nick'), col('score', T.int), col('boss_id', T.bigint)] });
const liveHosts: TableModel = table('hosts', { columns: [idColumn(), col('name')], indexes: [index('hosts_name_idx', ['name'])] });
const live = (tables: TableModel[], owned: Partial<OwnedObjects> = {}): SchemaModel => ({
  tables: Object.fromEntries(tables.map((t) => [t.name, t])),
  owned: { ...noOwnedObjects(), ...owned },
});

/** The needs of one phase, planned by the real planner from the declaration against the live model. */
function needsOf(declared: DeclaredSchema, liveModel: SchemaModel, phase: Phase): PrivilegeNeed[] {
  const p = plan(diff(declared, liveModel), { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: declared.model.tables });
  return phaseNeeds(stepsOf(p, phase), needsContext(declared, liveModel));
}
const brief = (needs: PrivilegeNeed[]) => needs.map((n) => `${n.action} ${n.object ?? '(schema)'}`).sort();

describe('privileges: what a phase needs, from its steps', () => {
  it('a new table with a foreign key: CREATE in the schema, its own index and key, REFERENCES on the referenced table', () => {
    const d = release({
      tables: {
        visits: {
          columns: { id: 'bigint', person_id: { type: 'bigint', nullable: false } },
          primaryKey: ['id'],
          indexes: [{ columns: ['person_id'] }],
          foreignKeys: [{ columns: ['person_id'], references: { table: 'people', columns: ['id'] } }],
        },
      },
    });
    const needs = needsOf(d, live([livePeople, liveHosts]), 'expand');
    expect(brief(needs)).toEqual(['alter visits', 'create-table (schema)', 'reference people']);
    expect(needs.find((n) => n.action === 'create-table')!.steps).toEqual(['create table visits']);
    expect(needs.find((n) => n.action === 'reference')!.steps).toEqual([expect.stringMatching(/^add foreign key \S+ on visits \(person_id\)$/)]);
  });

  it('columns on two live tables: one need per table, naming every step', () => {
    const d = release({ tables: { people: { columns: { email: 'text', city: 'text' } }, hosts: { columns: { rack: 'text' } } } });
    const needs = needsOf(d, live([livePeople, liveHosts]), 'expand');
    expect([...needs].sort((a, b) => a.object!.localeCompare(b.object!))).toEqual([
      { action: 'alter', object: 'hosts', steps: ['add column hosts.rack'] },
      { action: 'alter', object: 'people', steps: ['add column people.email', 'add column people.city'] },
    ]);
  });

  it('a foreign key to its own table references that table', () => {
    const d = release({ tables: { people: { foreignKeys: [{ columns: ['boss_id'], references: { table: 'people', columns: ['id'] } }] } } });
    const needs = needsOf(d, live([livePeople, liveHosts]), 'contract');
    expect(brief(needs)).toEqual(['alter people', 'reference people']);
  });

  it('referencedTables tells the referenced table from the child by its unique key', () => {
    const step = (needs: string[]) => ({ table: 'child', needs }) as Parameters<typeof referencedTables>[0];
    expect(referencedTables(step(['table:child', 'table:parent', 'unique:parent(id)', 'column:child.parent_id']))).toEqual(['parent']);
    expect(referencedTables(step(['table:child', 'unique:child(id)']))).toEqual(['child']);
    expect(referencedTables(step(['table:child', 'column:child.a']))).toEqual([]);
  });

  it('a table rename needs the old name (rename) and a view in the schema; contract drops the alias and renames its parts', () => {
    const d = release({ transitions: [renameTable('hosts', 'machines')] });
    expect(brief(needsOf(d, live([livePeople, liveHosts]), 'expand'))).toEqual(['create-view (schema)', 'rename hosts']);
    const renamed = { ...liveHosts, name: 'machines' };
    const aliased = live([livePeople, renamed], { aliases: [{ name: 'hosts', table: 'machines' }] });
    expect(brief(needsOf(d, aliased, 'contract'))).toEqual(['alter machines', 'drop hosts']);
  });

  it('a drop-alias without kept names to rename only drops the view', () => {
    const d = release({ transitions: [renameTable('hosts', 'machines')] });
    const adopted = { ...liveHosts, name: 'machines', primaryKey: { name: 'machines_pkey', columns: ['id'] }, indexes: [index('machines_name_idx', ['name'])] };
    expect(brief(needsOf(d, live([livePeople, adopted], { aliases: [{ name: 'hosts', table: 'machines' }] }), 'contract'))).toEqual(['drop hosts']);
  });

  it('a rename step without its declared rename is a dbtide bug, not a silent guess', () => {
    const d = release({ transitions: [renameTable('hosts', 'machines')] });
    const p = plan(diff(d, live([livePeople, liveHosts])), { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: d.model.tables });
    expect(() => phaseNeeds(stepsOf(p, 'expand'), { renames: [], aliases: [] })).toThrow(/renames a table no declared rename names/);
  });

  it('a column rename: trigger in expand, rows in migrate, trigger dropped and column dropped in contract', () => {
    const d = release({ tables: { people: { columns: { nickname: 'text' } } }, transitions: [renameColumn('people', 'nick', 'nickname')] });
    expect(brief(needsOf(d, live([livePeople, liveHosts]), 'expand'))).toEqual(['alter people', 'create-trigger people']);
    const synced = live([{ ...livePeople, columns: [...livePeople.columns, col('nickname')] }, liveHosts], {
      triggers: [{ table: 'people', name: '_dbtide_sync_people_nickname' }],
    });
    expect(brief(needsOf(d, synced, 'migrate'))).toEqual(['update-rows people']);
    const filled = { ...synced, owned: { ...synced.owned!, finishedJobs: ['v2:people:nickname'] } };
    expect(brief(needsOf(d, filled, 'contract'))).toEqual(['alter people', 'drop-trigger people']);
  });

  it('a type change swaps the column in contract: drop the trigger and alter the table', () => {
    const d = release({ tables: { people: { columns: { score: 'bigint' } } }, transitions: [changeType('people', 'score')] });
    const shadowed = live([{ ...livePeople, columns: [...livePeople.columns, col('_dbtide_new_score', T.bigint)] }, liveHosts], {
      triggers: [{ table: 'people', name: '_dbtide_sync_people_score' }],
      finishedJobs: ['v2:people:score'],
    });
    expect(brief(needsOf(d, shadowed, 'contract'))).toEqual(['alter people', 'drop-trigger people']);
  });

  it('a data move runs its author\'s statements: dbtide claims no privilege for it', () => {
    const d = release({ transitions: [dataMove('copy', async () => ({ found: 0, done: true }))] });
    expect(needsOf(d, live([livePeople, liveHosts]), 'migrate')).toEqual([]);
  });

  it('tombstones: dropping a table needs DROP on it, an index ALTER on its table', () => {
    const d = normalizeSchema(
      defineSchema({ release: 'v2', extends: v1, tables: { hosts: { removed: { indexes: ['hosts_name_idx'] } } }, removed: { tables: ['people'] } }),
    );
    expect(brief(needsOf(d, live([livePeople, liveHosts]), 'contract'))).toEqual(['alter hosts', 'drop people']);
  });

  it('the ledger: CREATE in the schema while one of its tables is missing, and writes to its three tables', () => {
    expect(brief(ledgerNeeds(['_dbtide_journal']))).toEqual(['create-table (schema)', 'write-rows _dbtide_backfills', 'write-rows _dbtide_journal', 'write-rows _dbtide_runs', 'write-rows _dbtide_sql_steps']);
    expect(brief(ledgerNeeds([]))).toEqual(['write-rows _dbtide_backfills', 'write-rows _dbtide_journal', 'write-rows _dbtide_runs', 'write-rows _dbtide_sql_steps']);
  });
});

describe('privileges: the refusal', () => {
  const need = (object: string | null, steps: string[]): PrivilegeNeed => ({ action: object ? 'alter' : 'create-table', object, steps });

  it('lists per object (schema first) what is missing and for which steps, and the statements that fix it', () => {
    const error = privilegeRefusal(
      {
        role: '"app"',
        schema: 'schema "public"',
        missing: [
          { need: need('users', ['add column users.a', 'add column users.b', 'add column users.c', 'add column users.d', 'add column users.e']), lacks: 'ownership of table "users" (owner: postgres)' },
          { need: need(null, ['create table orders']), lacks: 'CREATE on schema "public"' },
          { need: need('accounts', ['add column accounts.x']), lacks: 'ownership of table "accounts" (owner: admin)' },
        ],
        fixes: ['GRANT CREATE ON SCHEMA "public" TO "app"', 'ALTER TABLE "public"."users" OWNER TO "app"', 'ALTER TABLE "public"."accounts" OWNER TO "app"'],
      },
      'expand',
    );
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      [
        '"app" lacks privileges expand needs; nothing was changed:',
        '  schema "public":',
        '    CREATE on schema "public", for: create table orders',
        '  accounts:',
        '    ownership of table "accounts" (owner: admin), for: add column accounts.x',
        '  users:',
        '    ownership of table "users" (owner: postgres), for: add column users.a; add column users.b; add column users.c; and 2 more',
      ].join('\n'),
    );
    expect(error.hint).toBe(
      'as the tables\' owner or an administrator, run:\n  GRANT CREATE ON SCHEMA "public" TO "app";\n  ALTER TABLE "public"."users" OWNER TO "app";\n  ALTER TABLE "public"."accounts" OWNER TO "app";\nthen run `dbtide expand` again (or run dbtide as a role that has them)',
    );
  });
});

describe('privileges: MySQL and MariaDB grants (SHOW GRANTS)', () => {
  const lines = [
    'GRANT USAGE ON *.* TO `app`@`%`',
    'GRANT SELECT, INSERT, UPDATE ON `shop`.* TO `app`@`%`',
    'GRANT ALTER, DROP ON `shop`.`orders` TO `app`@`%`',
    'GRANT SELECT (`id`, `name`), REFERENCES ON `shop`.`users` TO `app`@`%`',
    'GRANT ALL PRIVILEGES ON `tmp\\_%`.* TO `app`@`%` WITH GRANT OPTION',
    'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `app`@`%`',
    'GRANT `reporting` TO `app`@`%`',
    'GRANT PROXY ON \'\'@\'%\' TO \'app\'@\'%\'',
    'GRANT TRIGGER ON `we``ird`.`t,1` TO `app`@`%`',
  ];
  const grants = parseGrants(lines);

  it('reads global, database and table grants; column grants, routines, roles and proxies are left out', () => {
    expect(grants).toEqual([
      { revoke: false, privileges: ['USAGE'], database: '*', table: '*' },
      { revoke: false, privileges: ['SELECT', 'INSERT', 'UPDATE'], database: 'shop', table: '*' },
      { revoke: false, privileges: ['ALTER', 'DROP'], database: 'shop', table: 'orders' },
      { revoke: false, privileges: ['REFERENCES'], database: 'shop', table: 'users' },
      { revoke: false, privileges: ['ALL'], database: 'tmp\\_%', table: '*' },
      { revoke: false, privileges: ['TRIGGER'], database: 'we`ird', table: 't,1' },
    ]);
  });

  it('a table grant covers only its table; a database grant every table and the database itself', () => {
    expect(holds(grants, 'ALTER', 'shop', 'orders')).toBe(true);
    expect(holds(grants, 'ALTER', 'shop', 'users')).toBe(false);
    expect(holds(grants, 'ALTER', 'shop', null)).toBe(false);
    expect(holds(grants, 'UPDATE', 'shop', 'users')).toBe(true);
    expect(holds(grants, 'UPDATE', 'shop', null)).toBe(true);
    expect(holds(grants, 'REFERENCES', 'shop', 'users')).toBe(true);
    expect(holds(grants, 'SELECT', 'shop', 'users')).toBe(true);
    expect(holds(grants, 'TRIGGER', 'we`ird', 't,1')).toBe(true);
    expect(holds(grants, 'CREATE', 'other', null)).toBe(false);
  });

  it('database names are patterns: `_` and `%` are wildcards, a backslash makes them literal', () => {
    expect(holds(grants, 'CREATE VIEW', 'tmp_1', null)).toBe(true);
    expect(holds(grants, 'ALTER', 'tmp_anything', 'x')).toBe(true);
    expect(holds(grants, 'ALTER', 'tmpx1', 'x')).toBe(false);
    const wild = parseGrants(['GRANT ALTER ON `app_`.* TO `u`@`%`']);
    expect(holds(wild, 'ALTER', 'appX', 't')).toBe(true);
    expect(holds(wild, 'ALTER', 'app', 't')).toBe(false);
  });

  it('database and table names compare exactly unless lower_case_table_names says otherwise', () => {
    expect(holds(grants, 'ALTER', 'Shop', 'Orders')).toBe(false);
    expect(holds(grants, 'ALTER', 'Shop', 'Orders', true)).toBe(true);
    expect(holds(grants, 'INSERT', 'SHOP', null, true)).toBe(true);
  });

  it('a global grant counts, except where MySQL\'s partial revokes take it back', () => {
    const global = parseGrants(['GRANT ALTER, CREATE ON *.* TO `u`@`%`', 'REVOKE ALTER ON `secret`.* FROM `u`@`%`']);
    expect(holds(global, 'ALTER', 'shop', 't')).toBe(true);
    expect(holds(global, 'CREATE', 'shop', null)).toBe(true);
    expect(holds(global, 'ALTER', 'secret', 't')).toBe(false);
    expect(holds(global, 'CREATE', 'secret', null)).toBe(true);
  });

  it('role lines as MariaDB shows them (the current role\'s grants follow the user\'s) count like the user\'s', () => {
    const mariadb = parseGrants([
      'GRANT `deployer` TO `app`@`%`',
      'GRANT USAGE ON *.* TO `app`@`%`',
      'GRANT USAGE ON *.* TO `deployer`',
      'GRANT ALTER, INDEX ON `shop`.* TO `deployer`',
    ]);
    expect(holds(mariadb, 'ALTER', 'shop', 'orders')).toBe(true);
    expect(holds(mariadb, 'TRIGGER', 'shop', 'orders')).toBe(false);
  });
});
