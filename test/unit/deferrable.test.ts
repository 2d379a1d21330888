import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import { diff } from '../../src/diff/diff.js';
import type { Deferrable, SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { refuseConstraintFeatures } from '../../src/plan/constraint-features.js';
import { foreignKeyProblems } from '../../src/plan/foreign-key-rules.js';
import { plan } from '../../src/plan/planner.js';
import { T, column, foreignKey, idColumn, table } from '../support/model-builders.js';

const pg = postgresCapabilities('15.4');
const runPlan = (changes: ReturnType<typeof diff>, tables: Record<string, TableModel> = {}) =>
  plan(changes, { caps: pg, sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables });

const tables = (fk?: Deferrable, key?: Deferrable): Record<string, TableInput> => ({
  teams: { columns: { id: 'bigint', code: 'text' }, primaryKey: { columns: ['id'], ...(key ? { deferrable: key } : {}) }, uniques: [{ columns: ['code'], ...(key ? { deferrable: key } : {}) }] },
  people: {
    columns: { id: 'bigint', team: 'bigint' },
    primaryKey: ['id'],
    foreignKeys: [{ columns: ['team'], references: { table: 'teams', columns: ['id'] }, ...(fk ? { deferrable: fk } : {}) }],
  },
});
const declare = (t: Record<string, TableInput>) => normalizeSchema(defineSchema({ release: 'd1', tables: t }));

/** The live tables as `tables(fk, key)` declares them. */
const live = (fk?: Deferrable, key?: Deferrable): SchemaModel => ({
  tables: {
    people: table('people', { columns: [idColumn(), column('team', T.bigint)], foreignKeys: [{ ...foreignKey('people_team_fkey', ['team'], 'teams'), ...(fk ? { deferrable: fk } : {}) }] }),
    teams: table('teams', {
      columns: [idColumn(), column('code')],
      primaryKey: { name: 'teams_pkey', columns: ['id'], ...(key ? { deferrable: key } : {}) },
      uniques: [{ name: 'teams_code_key', columns: ['code'], ...(key ? { deferrable: key } : {}) }],
    }),
  },
});

describe('deferrable constraints: declaration and SQL', () => {
  it('keeps the field only when deferrable', () => {
    const d = declare(tables('deferred', 'immediate')).model.tables;
    expect(d.people!.foreignKeys[0]!.deferrable).toBe('deferred');
    expect(d.teams!.primaryKey).toEqual({ name: 'teams_pkey', columns: ['id'], deferrable: 'immediate' });
    expect(d.teams!.uniques[0]).toEqual({ name: 'teams_code_key', columns: ['code'], deferrable: 'immediate' });
    const plain = declare(tables()).model.tables;
    expect(plain.people!.foreignKeys[0]).not.toHaveProperty('deferrable');
    expect(plain.teams!.primaryKey).not.toHaveProperty('deferrable');
  });

  it('renders DEFERRABLE in CREATE TABLE, ADD CONSTRAINT (USING INDEX too) and foreign keys added NOT VALID', () => {
    const teams = declare(tables(undefined, 'deferred')).model.tables.teams!;
    expect(postgresCompiler.createTable(teams).sql).toBe(
      'CREATE TABLE "teams" (\n  "id" bigint NOT NULL,\n  "code" text,\n' +
        '  CONSTRAINT "teams_pkey" PRIMARY KEY ("id") DEFERRABLE INITIALLY DEFERRED,\n' +
        '  CONSTRAINT "teams_code_key" UNIQUE ("code") DEFERRABLE INITIALLY DEFERRED\n)',
    );
    expect(postgresCompiler.addUnique('teams', teams.uniques[0]!, { usingIndex: 'teams_code_key' }).sql).toBe(
      'ALTER TABLE "teams" ADD CONSTRAINT "teams_code_key" UNIQUE USING INDEX "teams_code_key" DEFERRABLE INITIALLY DEFERRED',
    );
    expect(postgresCompiler.addPrimaryKey('teams', { ...teams.primaryKey!, deferrable: 'immediate' }, { usingIndex: 'teams_pkey' }).sql).toBe(
      'ALTER TABLE "teams" ADD CONSTRAINT "teams_pkey" PRIMARY KEY USING INDEX "teams_pkey" DEFERRABLE INITIALLY IMMEDIATE',
    );
    const fk = declare(tables('immediate')).model.tables.people!.foreignKeys[0]!;
    expect(postgresCompiler.addForeignKey('people', fk, { validate: false }).map((s) => s.sql)).toEqual([
      'ALTER TABLE "people" ADD CONSTRAINT "people_team_fkey" FOREIGN KEY ("team") REFERENCES "teams" ("id") DEFERRABLE INITIALLY IMMEDIATE NOT VALID',
    ]);
  });

  it('is refused on MySQL and MariaDB before anything runs, naming each constraint', () => {
    expect(() => refuseConstraintFeatures(declare(tables('deferred', 'immediate')), mysqlCapabilities('10.11.6-MariaDB'))).toThrow(
      'release d1 declares constraints MariaDB 10.11.6 does not have; nothing was changed:\n' +
        "  tables.people.foreignKeys.people_team_fkey: deferrable: 'deferred'\n" +
        "  tables.teams.primaryKey: deferrable: 'immediate'\n" +
        "  tables.teams.uniques.teams_code_key: deferrable: 'immediate'",
    );
  });

  it('a foreign key to a deferrable key is refused at plan, naming the key; a plain unique over the columns will do', () => {
    const d = declare(tables(undefined, 'deferred'));
    expect(foreignKeyProblems(d.model.tables, pg)).toEqual([
      'tables.people.foreignKeys.people_team_fkey: references teams(id), whose key teams_pkey is deferrable; PostgreSQL 15.4 refuses a foreign key to a deferrable key: declare that key without `deferrable`, or add a unique key over those columns that is not deferrable',
    ]);
    const withPlain = declare({ ...tables(undefined, 'deferred'), teams: { ...tables(undefined, 'deferred').teams!, uniques: [{ columns: ['id'] }] } });
    expect(foreignKeyProblems(withPlain.model.tables, pg)).toEqual([]);
  });

  it('pull writes it and reads it back', () => {
    const source = renderDeclaration(live('deferred', 'immediate'), { release: 'r' });
    expect(source).toContain("primaryKey: { columns: ['id'], deferrable: 'immediate' }");
    expect(source).toContain("{ columns: ['code'], deferrable: 'immediate' }");
    expect(source).toContain("deferrable: 'deferred'");
    expect(renderDeclaration(live(), { release: 'r' })).not.toContain('deferrable');
  });
});

describe('deferrable constraints: diff and phases', () => {
  it('nothing to do when live and declared agree', () => {
    expect(diff(declare(tables('deferred', 'immediate')), live('deferred', 'immediate'))).toEqual([]);
  });

  it('a foreign key checked later is altered in place in expand (relaxing); checked sooner, in contract', () => {
    const steps = (d: Deferrable | undefined, l: Deferrable | undefined) =>
      runPlan(diff(declare(tables(d)), live(l))).steps.map((s) => [s.phase, s.id, s.relaxing, s.sql, s.lock.blocksWrites]);
    expect(steps('immediate', undefined)).toEqual([
      ['expand', 'set-deferrable:people.people_team_fkey', true, ['ALTER TABLE "people" ALTER CONSTRAINT "people_team_fkey" DEFERRABLE INITIALLY IMMEDIATE'], false],
    ]);
    expect(steps('deferred', 'immediate')).toEqual([
      ['expand', 'set-deferrable:people.people_team_fkey', true, ['ALTER TABLE "people" ALTER CONSTRAINT "people_team_fkey" DEFERRABLE INITIALLY DEFERRED'], false],
    ]);
    expect(steps('immediate', 'deferred')).toEqual([
      ['contract', 'set-deferrable:people.people_team_fkey', false, ['ALTER TABLE "people" ALTER CONSTRAINT "people_team_fkey" DEFERRABLE INITIALLY IMMEDIATE'], false],
    ]);
    expect(steps(undefined, 'deferred')).toEqual([
      ['contract', 'set-deferrable:people.people_team_fkey', false, ['ALTER TABLE "people" ALTER CONSTRAINT "people_team_fkey" NOT DEFERRABLE'], false],
    ]);
  });

  it('a key whose deferrability changed is drift with advice, never rebuilt in place', () => {
    const changes = diff(declare(tables(undefined, 'deferred')), live());
    expect(changes).toEqual([
      {
        kind: 'drift',
        table: 'teams',
        object: 'primary key teams_pkey',
        detail: "live not deferrable, declared DEFERRABLE INITIALLY DEFERRED; a key's deferrability cannot change in place: declare it again under a new name with the deferrability wanted (built online), and tombstone this one in the release after, so rows stay checked throughout",
      },
      {
        kind: 'drift',
        table: 'teams',
        object: 'unique teams_code_key',
        detail: "live not deferrable, declared DEFERRABLE INITIALLY DEFERRED; a key's deferrability cannot change in place: declare it again under a new name with the deferrability wanted (built online), and tombstone this one in the release after, so rows stay checked throughout",
      },
    ]);
  });

  it('a new deferrable unique on a live table is built online first, then adopted deferrable', () => {
    const d = declare({ ...tables(), teams: { ...tables().teams!, uniques: [{ columns: ['code'] }, { name: 'teams_code_later', columns: ['code'], deferrable: 'deferred' }] } });
    const steps = runPlan(diff(d, live()), d.model.tables).steps;
    expect(steps.flatMap((s) => s.sql)).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY "teams_code_later" ON "teams" ("code")',
      'ALTER TABLE "teams" ADD CONSTRAINT "teams_code_later" UNIQUE USING INDEX "teams_code_later" DEFERRABLE INITIALLY DEFERRED',
    ]);
  });
});
