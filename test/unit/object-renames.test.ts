import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { SchemaInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renameConstraint, renameIndex } from '../../src/declaration/transitions.js';
import { diff } from '../../src/diff/diff.js';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { uniqueIndexesAsKeys } from '../../src/model/unique-keys.js';
import { keptNameProblems, objectRenameProblems } from '../../src/plan/object-renames.js';
import type { Change, ObjectRename } from '../../src/diff/changes.js';
import { plan } from '../../src/plan/planner.js';
import { T, column, foreignKey, idColumn, index, table } from '../support/model-builders.js';
import { declarationIssues } from '../support/declaration-issues.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    teams: { columns: { id: 'bigint' }, primaryKey: ['id'] },
    people: {
      columns: { id: 'bigint', email: 'text', team: 'bigint', age: 'int' },
      primaryKey: ['id'],
      uniques: [{ name: 'people_email_key', columns: ['email'] }],
      indexes: [{ name: 'people_age_idx', columns: ['age'] }],
      foreignKeys: [{ name: 'people_team_fkey', columns: ['team'], references: { table: 'teams', columns: ['id'] } }],
      checks: [{ name: 'people_age_check', expression: 'age > 0' }],
    },
  },
});

const release = (input: Omit<SchemaInput, 'release' | 'extends'>) => normalizeSchema(defineSchema({ release: 'v2', extends: v1, ...input }));

const issuesOf = (input: Omit<SchemaInput, 'release' | 'extends'>): string[] => declarationIssues(() => release(input));

/** The people table as release v1 left it live. */
const livePeople = (): TableModel =>
  table('people', {
    columns: [idColumn(), column('email'), column('team', T.bigint), column('age', T.int)],
    uniques: [{ name: 'people_email_key', columns: ['email'] }],
    indexes: [index('people_age_idx', ['age'])],
    foreignKeys: [foreignKey('people_team_fkey', ['team'], 'teams')],
    checks: [{ name: 'people_age_check', expression: 'age > 0', validated: true }],
  });
const live = (people: TableModel = livePeople()): SchemaModel => ({ tables: { people, teams: table('teams') } });
const renamedIn = (t: TableModel, from: string, to: string): TableModel => {
  const r = <X extends { name: string }>(x: X): X => (x.name === from ? { ...x, name: to } : x);
  return { ...t, uniques: t.uniques.map(r), indexes: t.indexes.map(r), foreignKeys: t.foreignKeys.map(r), checks: t.checks.map(r) };
};

const pg = postgresCapabilities('15.4');
const runPlan = (changes: ReturnType<typeof diff>, sql = postgresCompiler, caps = pg) =>
  plan(changes, { caps, sql, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: {} });

describe('rename-constraint and rename-index: declaration', () => {
  it('carries an inherited object over to its new name, and records the transition', () => {
    const d = release({
      transitions: [
        renameConstraint('people', 'people_email_key', 'people_email_unique'),
        renameConstraint('people', 'people_team_fkey', 'people_team_ref'),
        renameConstraint('people', 'people_age_check', 'people_age_positive'),
        renameIndex('people', 'people_age_idx', 'people_by_age'),
      ],
    });
    const people = d.model.tables.people!;
    expect(people.uniques.map((u) => u.name)).toEqual(['people_email_unique']);
    expect(people.foreignKeys.map((f) => f.name)).toEqual(['people_team_ref']);
    expect(people.checks.map((c) => c.name)).toEqual(['people_age_positive']);
    expect(people.indexes.map((i) => i.name)).toEqual(['people_by_age']);
    expect(d.transitions).toEqual([
      { kind: 'rename-object', object: 'constraint', table: 'people', from: 'people_email_key', to: 'people_email_unique' },
      { kind: 'rename-object', object: 'constraint', table: 'people', from: 'people_team_fkey', to: 'people_team_ref' },
      { kind: 'rename-object', object: 'constraint', table: 'people', from: 'people_age_check', to: 'people_age_positive' },
      { kind: 'rename-object', object: 'index', table: 'people', from: 'people_age_idx', to: 'people_by_age' },
    ]);
  });

  it('takes the object as the release states it again under the new name', () => {
    const d = release({
      tables: { people: { uniques: [{ name: 'people_email_unique', columns: ['email'] }] } },
      transitions: [renameConstraint('people', 'people_email_key', 'people_email_unique')],
    });
    expect(d.model.tables.people!.uniques.map((u) => u.name)).toEqual(['people_email_unique']);
  });

  it('refuses names that do not fit: old name still declared, wrong kind, unknown old name, taken new name, a name renamed twice', () => {
    expect(issuesOf({
      tables: { people: { uniques: [{ name: 'people_email_key', columns: ['email'] }, { name: 'people_email_unique', columns: ['email'] }] } },
      transitions: [renameConstraint('people', 'people_email_key', 'people_email_unique')],
    })).toEqual([
      'transitions[0] (rename-constraint): the old name "people_email_key" is still declared in tables.people; declare the constraint under "people_email_unique" only',
    ]);
    expect(issuesOf({ transitions: [renameConstraint('people', 'people_age_idx', 'people_by_age')] })).toEqual([
      'transitions[0] (rename-constraint): "people_by_age" is declared at tables.people.indexes.people_by_age, which rename-constraint does not rename; use rename-index',
      'transitions[0] (rename-constraint): "people_age_idx" is not a constraint of people in the previous release v1 (its constraints: people_pkey, people_email_key, people_team_fkey, people_age_check)',
    ]);
    expect(issuesOf({
      tables: { people: { indexes: [{ name: 'people_new_idx', columns: ['email'] }] } },
      transitions: [renameIndex('people', 'people_nothing_idx', 'people_new_idx')],
    })).toEqual([
      'transitions[0] (rename-index): "people_nothing_idx" is not an index of people in the previous release v1 (its indexes: people_age_idx)',
    ]);
    expect(issuesOf({ transitions: [renameIndex('people', 'people_age_idx', 'people_missing')] })).toEqual([]);
    expect(issuesOf({ transitions: [renameIndex('nobody', 'a', 'b')] })).toEqual(['transitions[0] (rename-index): table "nobody" is not declared']);
    expect(issuesOf({
      transitions: [renameIndex('people', 'people_age_idx', 'people_by_age'), renameIndex('people', 'people_age_idx', 'people_by_age')],
    })).toEqual([
      'transitions[1] (rename-index): people: "people_age_idx" or "people_by_age" is renamed by an earlier transition too; declare one rename per name',
    ]);
  });

  it('refuses a new name the previous release already uses', () => {
    expect(issuesOf({
      tables: { people: { checks: [{ name: 'people_email_key', expression: 'age > 0' }] } },
      transitions: [renameConstraint('people', 'people_age_check', 'people_email_key')],
    })).toContain('transitions[0] (rename-constraint): "people_email_key" already names a constraint of people in the previous release v1; a rename needs a new name');
  });
});

describe('rename-constraint and rename-index: diff and plan', () => {
  const d = release({
    transitions: [
      renameConstraint('people', 'people_email_key', 'people_email_unique'),
      renameIndex('people', 'people_age_idx', 'people_by_age'),
    ],
  });

  it('plans the pending renames in contract, in place, and neither adds the new name nor reports the old one', () => {
    const changes = diff(d, live());
    expect(changes).toEqual([
      { kind: 'rename-object', table: 'people', object: 'unique', from: 'people_email_key', to: 'people_email_unique' },
      { kind: 'rename-object', table: 'people', object: 'index', from: 'people_age_idx', to: 'people_by_age' },
    ]);
    const steps = runPlan(changes).steps;
    expect(steps.map((s) => [s.phase, s.id, s.sql, s.lock.blocksWrites, s.destructive])).toEqual([
      ['contract', 'rename-object:people.people_email_unique', ['ALTER TABLE "people" RENAME CONSTRAINT "people_email_key" TO "people_email_unique"'], false, false],
      ['contract', 'rename-object:people.people_by_age', ['ALTER INDEX "people_age_idx" RENAME TO "people_by_age"'], false, false],
    ]);
    expect(objectRenameProblems(d, live(), pg)).toEqual([]);
  });

  it('is done once the new name is live and the old one gone (a rerun after an interrupted contract)', () => {
    const done = renamedIn(renamedIn(livePeople(), 'people_email_key', 'people_email_unique'), 'people_age_idx', 'people_by_age');
    expect(diff(d, live(done))).toEqual([]);
    expect(objectRenameProblems(d, live(done), pg)).toEqual([]);
    const half = renamedIn(livePeople(), 'people_email_key', 'people_email_unique');
    expect(diff(d, live(half)).map((c) => c.kind === 'rename-object' && c.from)).toEqual(['people_age_idx']);
  });

  it('creates a new table under the new names without a rename', () => {
    expect(diff(d, { tables: { teams: table('teams') } }).map((c) => c.kind)).toEqual(['create-table']);
    expect(objectRenameProblems(d, { tables: { teams: table('teams') } }, pg)).toEqual([]);
  });

  it('refuses both names live, neither, and a live object that is not the declared one', () => {
    const both = { ...livePeople(), checks: [...livePeople().checks, { name: 'people_email_unique', expression: 'true', validated: true }] };
    expect(objectRenameProblems(d, live(both), pg)).toEqual([
      'transitions[0] (rename-constraint) on people: the live table has both "people_email_key" (unique constraint) and "people_email_unique" (check constraint); drop the one that is not in use by hand, or remove the transition',
    ]);
    const neither = { ...livePeople(), indexes: [] };
    expect(objectRenameProblems(d, live(neither), pg)).toEqual([
      'transitions[1] (rename-index) on people: the live table has neither "people_age_idx" nor "people_by_age"; run the previous release\'s contract first, or declare the index without the transition',
    ]);
    const other = { ...livePeople(), uniques: [{ name: 'people_email_key', columns: ['email', 'team'] }] };
    expect(objectRenameProblems(d, live(other), pg)).toEqual([
      'transitions[0] (rename-constraint) on people: the live unique constraint "people_email_key" is not what the release declares as "people_email_unique" (unique constraint); a rename keeps the definition: declare it unchanged here and change it in the next release',
    ]);
  });

  it('on MySQL and MariaDB renames a unique key and an index with RENAME INDEX, online', () => {
    const caps = mysqlCapabilities('10.11.6-MariaDB');
    const compared = uniqueIndexesAsKeys(d);
    const steps = runPlan(diff(compared, live()), mysqlCompiler, caps).steps;
    expect(steps.map((s) => [s.phase, s.sql])).toEqual([
      ['contract', ['ALTER TABLE `people` RENAME INDEX `people_email_key` TO `people_email_unique`, ALGORITHM=INPLACE, LOCK=NONE']],
      ['contract', ['ALTER TABLE `people` RENAME INDEX `people_age_idx` TO `people_by_age`, ALGORITHM=INPLACE, LOCK=NONE']],
    ]);
    expect(objectRenameProblems(compared, live(), caps)).toEqual([]);
  });

  it('on MySQL and MariaDB refuses renaming a foreign key or a check, which neither server can rename in place', () => {
    const renames = release({
      transitions: [renameConstraint('people', 'people_team_fkey', 'people_team_ref'), renameConstraint('people', 'people_age_check', 'people_age_positive')],
    });
    expect(objectRenameProblems(uniqueIndexesAsKeys(renames), live(), mysqlCapabilities('10.11.6-MariaDB'))).toEqual([
      'transitions[0] (rename-constraint) on people: MariaDB 10.11.6 cannot rename a foreign key in place ("people_team_fkey" to "people_team_ref"); keep the name "people_team_fkey" in the release, or drop and add the foreign key by declaring it anew (a rebuild)',
      'transitions[1] (rename-constraint) on people: MariaDB 10.11.6 cannot rename a check constraint in place ("people_age_check" to "people_age_positive"); keep the name "people_age_check" in the release, or drop and add the check constraint by declaring it anew (a rebuild)',
    ]);
    expect(mysqlCapabilities('10.5.1-MariaDB').renameInPlace).toEqual([]);
  });
});

describe('names a renamed table keeps until contract', () => {
  const dropAlias = (renames: ObjectRename[]): Change[] => [{ kind: 'drop-alias', table: 'people', alias: 'users', renames }];
  const maria = mysqlCapabilities('10.11.6-MariaDB');

  it('are refused where the server cannot rename their kind in place, naming the name to keep', () => {
    const renames: ObjectRename[] = [
      { object: 'foreign-key', from: 'users_org_fk', to: 'people_org_fk' },
      { object: 'check', from: 'users_age_check', to: 'people_age_check' },
      { object: 'unique', from: 'users_email_key', to: 'people_email_key' },
      { object: 'index', from: 'users_name_idx', to: 'people_name_idx' },
      // MySQL's is PRIMARY whatever the table: it follows the table.
      { object: 'primary-key', from: 'users_pkey', to: 'people_pkey' },
    ];
    expect(keptNameProblems(dropAlias(renames), maria)).toEqual([
      'tables.people: MariaDB 10.11.6 cannot rename a foreign key in place, and the release names "users_org_fk" (kept when users was renamed to people) "people_org_fk"; declare it as "users_org_fk"',
      'tables.people: MariaDB 10.11.6 cannot rename a check constraint in place, and the release names "users_age_check" (kept when users was renamed to people) "people_age_check"; declare it as "users_age_check"',
    ]);
    expect(keptNameProblems(dropAlias(renames), pg)).toEqual([]);
  });

  it('are read by kind from a renamed table\'s live objects', () => {
    const v1 = defineSchema({ release: 'v1', tables: { users: { columns: { id: 'int', age: 'int' }, primaryKey: ['id'] } } });
    const v2 = normalizeSchema(defineSchema({
      release: 'v2',
      extends: v1,
      tables: { people: { columns: { id: 'int', age: 'int' }, primaryKey: { name: 'people_pkey', columns: ['id'] } } },
      transitions: [{ kind: 'rename-table', from: 'users', to: 'people' }],
    }));
    const live: SchemaModel = { tables: { users: table('users', { columns: [idColumn(), column('age', T.int)] }) } };
    const alias = diff(v2, live).find((c) => c.kind === 'drop-alias');
    expect(alias && alias.kind === 'drop-alias' ? alias.renames : null).toEqual([{ object: 'primary-key', from: 'users_pkey', to: 'people_pkey' }]);
  });
});
