import { describe, expect, expectTypeOf, it } from 'vitest';
import { mysqlBackfill } from '../../dialects/mysql/backfill.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import type { PlanReport } from '../../src/api.js';
import { planJson } from '../../src/cli/format-plan.js';
import { defineSchema, sql } from '../../src/declaration/define-schema.js';
import type { Schema, SchemaInput, SqlExpression, TransitionInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { diff } from '../../src/diff/diff.js';
import { DbtideError } from '../../src/errors.js';
import { PolicyViolation } from '../../src/execute/statement-guard.js';
import { RAW_SQL_LOCK } from '../../src/model/locks.js';
import type { DeclaredSchema } from '../../src/model/schema-model.js';
import { noOwnedObjects, type RanSqlStep, type SqlStep } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import type { Plan, Step } from '../../src/plan/step.js';
import { declarationIssues } from '../support/declaration-issues.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    people: {
      columns: { id: 'bigint', name: 'text', city: 'text', score: 'int' },
      primaryKey: ['id'],
      checks: [{ name: 'people_score_check', expression: 'score >= 0' }],
    },
    hosts: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'] },
  },
});

const release = (input: Omit<SchemaInput, 'release' | 'extends'>) => normalizeSchema(defineSchema({ release: 'v2', extends: v1, ...input }));

const issuesOf = declarationIssues;

const sqlSteps = (d: DeclaredSchema) => d.transitions.filter((t): t is SqlStep => t.kind === 'sql');

const view = sql({ phase: 'expand', description: 'Create view Big people', up: 'CREATE VIEW big_people AS SELECT id, status FROM people WHERE score > 100' });

describe('sql(): the declaration', () => {
  it('keeps a string an SQL expression, and makes an object a raw step of kind sql', () => {
    expect(sql('CURRENT_TIMESTAMP')).toEqual({ sql: 'CURRENT_TIMESTAMP' });
    expect(sql({ phase: 'contract', up: 'DROP VIEW v', description: 'drop v' })).toEqual({ kind: 'sql', phase: 'contract', up: 'DROP VIEW v', description: 'drop v' });
  });

  it('types each form for where it goes: a default takes the expression, transitions the step', () => {
    expectTypeOf(sql('now()')).toEqualTypeOf<SqlExpression>();
    expectTypeOf(sql({ phase: 'expand', up: 'SELECT 1', description: 'd' })).toEqualTypeOf<TransitionInput>();
    const input: SchemaInput = {
      release: 'typed',
      tables: { t: { columns: { id: 'int', at: { type: 'timestamp', default: sql('CURRENT_TIMESTAMP') } } } },
      transitions: [sql({ phase: 'migrate', up: ['UPDATE t SET at = NULL'], description: 'clear' })],
    };
    expect(input.transitions).toHaveLength(1);
    // @ts-expect-error a raw step is no default
    const badDefault: SchemaInput['tables'] = { t: { columns: { at: { type: 'timestamp', default: sql({ phase: 'expand', up: 'x', description: 'd' }) } } } };
    // @ts-expect-error an expression is no transition
    const badStep: SchemaInput['transitions'] = [sql('now()')];
    // @ts-expect-error the phase is one of the three
    const badPhase = sql({ phase: 'later', up: 'x', description: 'd' });
    expect([badDefault, badStep, badPhase]).toHaveLength(3);
  });

  it('names the step sql:<slug of the description>, or sql:<name>; up and down become statement lists', () => {
    const d = release({
      tables: { people: { columns: { status: 'int' } } },
      transitions: [
        view,
        sql({ phase: 'contract', name: 'drop_big', up: [' DROP VIEW big_people '], down: 'CREATE VIEW big_people AS SELECT 1', description: 'drop it' }),
      ],
    });
    const [created, dropped] = sqlSteps(d);
    expect(created).toMatchObject({ id: 'sql:create-view-big-people', name: 'create-view-big-people', phase: 'expand', description: 'Create view Big people', down: [] });
    expect(created!.up).toEqual(['CREATE VIEW big_people AS SELECT id, status FROM people WHERE score > 100']);
    expect(dropped).toMatchObject({ id: 'sql:drop_big', up: ['DROP VIEW big_people'], down: ['CREATE VIEW big_people AS SELECT 1'] });
    expect(created!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the statements: the same up, the same hash; another statement, another hash', () => {
    const hashOf = (up: string | string[]) => sqlSteps(release({ transitions: [sql({ phase: 'expand', up, description: 'v' })] }))[0]!.hash;
    expect(hashOf('CREATE VIEW v AS SELECT 1')).toBe(hashOf(['CREATE VIEW v AS SELECT 1 ']));
    expect(hashOf('CREATE VIEW v AS SELECT 1')).not.toBe(hashOf('CREATE VIEW v AS SELECT 2'));
    expect(hashOf(['A', 'B'])).not.toBe(hashOf(['A B']));
  });

  it('refuses two raw steps with the same id, naming both places', () => {
    expect(issuesOf(() => release({
      transitions: [
        sql({ phase: 'expand', up: 'CREATE VIEW a AS SELECT 1', description: 'make view' }),
        sql({ phase: 'contract', up: 'DROP VIEW a', description: 'other', name: 'make-view' }),
      ],
    }))).toEqual(['transitions[1] (sql): raw step sql:make-view is declared at transitions[0] (sql) too; give one of them another `name`']);
  });

  it('refuses an unknown phase, an empty up and a missing description when the release is declared', () => {
    const declare = (step: Record<string, unknown>) => () => defineSchema({ release: 'v2', extends: v1, transitions: [{ kind: 'sql', ...step } as TransitionInput] });
    expect(issuesOf(declare({ phase: 'later', up: 'SELECT 1', description: 'd' }))).toEqual([
      'transitions[0].phase: must be one of "expand", "migrate", "contract", got string "later"',
    ]);
    expect(issuesOf(declare({ phase: 'expand', up: [], description: 'd' }))).toEqual(['transitions[0].up: must not be empty']);
    expect(issuesOf(declare({ phase: 'expand', up: ['SELECT 1', '  '], description: 'd' }))).toEqual(['transitions[0].up[1]: must not be empty']);
    expect(issuesOf(declare({ phase: 'expand', up: '' }))).toEqual([
      'transitions[0].description: is required (a non-empty string)',
      'transitions[0].up: must not be empty',
    ]);
    expect(issuesOf(declare({ phase: 'expand', up: 'SELECT 1', description: 'd', upp: 'x' }))).toEqual([
      'transitions[0].upp: unknown key "upp"; did you mean "up"? (known: kind, phase, up, down, description, name)',
    ]);
  });

  it('checks a Schema that did not come through defineSchema just as well', () => {
    const schema = (step: Record<string, unknown>): Schema => ({ ...defineSchema({ release: 'v2', extends: v1 }), transitions: [{ kind: 'sql', ...step } as TransitionInput] });
    expect(issuesOf(() => normalizeSchema(schema({ phase: 'soon', up: [], description: ' ' })))).toEqual([
      'transitions[0] (sql): `phase` must be one of expand, migrate, contract',
      'transitions[0] (sql): a raw SQL step needs a `description` (it names the step in the plan)',
      'transitions[0] (sql): `up` needs one statement per entry, none of them empty',
    ]);
    expect(issuesOf(() => normalizeSchema(schema({ phase: 'expand', up: 'SELECT 1', description: '!!!' })))).toEqual([
      'transitions[0] (sql): the description makes no name (it has no letters or digits); give the step a `name`',
    ]);
  });
});

/** v1 as it is live, with the raw steps the ledger recorded. */
const liveV1 = (ranSqlSteps: RanSqlStep[] = []) => ({ tables: normalizeSchema(v1).model.tables, owned: { ...noOwnedObjects(), ranSqlSteps } });

const SERVERS = {
  postgres: { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements },
  mariadb: { caps: mysqlCapabilities('10.11.6-MariaDB'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock, statements: mysqlStatements },
};

const planOf = (d: DeclaredSchema, ran: RanSqlStep[] = [], server: keyof typeof SERVERS = 'postgres'): Plan =>
  plan(diff(d, liveV1(ran)), { ...SERVERS[server], tables: d.model.tables });

const brief = (p: Plan) => p.steps.map((s) => `${s.phase} ${s.id}`);
const rawStep = (p: Plan, id: string): Step => p.steps.find((s) => s.id === id)!;

/** A release that builds and drops in expand and contract, with a raw step in each phase. */
const busy = release({
  tables: {
    people: { columns: { status: 'int' }, indexes: [{ name: 'people_status_idx', columns: ['status'] }], removed: { columns: ['city'], constraints: ['people_score_check'] } },
    orders: { columns: { id: 'bigint', person_id: 'bigint' }, primaryKey: ['id'] },
  },
  removed: { tables: ['hosts'] },
  transitions: [
    sql({ phase: 'contract', up: 'DROP VIEW people_orders', description: 'drop people orders' }),
    sql({ phase: 'expand', up: 'CREATE VIEW people_orders AS SELECT p.status, o.id FROM people p JOIN orders o ON o.person_id = p.id', description: 'people orders' }),
    sql({ phase: 'migrate', up: 'UPDATE people SET status = 0 WHERE status IS NULL', description: 'status zero' }),
  ],
});

describe('sql(): planning', () => {
  it("runs each step in its own phase, after the phase's tables, columns and indexes and before its drops", () => {
    expect(brief(planOf(busy))).toEqual([
      'expand create-table:orders',
      'expand add-column:people.status',
      'expand add-index:people.people_status_idx',
      'expand sql:people-orders',
      'expand drop-constraint:people.people_score_check',
      'migrate sql:status-zero',
      'contract sql:drop-people-orders',
      'contract drop-column:people.city',
      'contract drop-table:hosts',
    ]);
  });

  it('is a step with its statements, an unknown lock the plan warns about, its down, and no table', () => {
    const p = planOf(busy);
    const step = rawStep(p, 'sql:people-orders');
    expect(step).toMatchObject({
      operation: 'sql',
      table: '',
      description: 'raw SQL: people orders',
      sql: ['CREATE VIEW people_orders AS SELECT p.status, o.id FROM people p JOIN orders o ON o.person_id = p.id'],
      transactional: true,
      destructive: false,
      lock: RAW_SQL_LOCK,
      estimatedRows: null,
      raw: { hash: sqlSteps(busy)[1]!.hash, down: [] },
    });
    expect(step.lock.blocksWrites).toBe(true);
    expect(p.warnings).toContain('sql:people-orders: raw SQL; dbtide cannot tell what it locks or for how long: read it before running expand on a live database');
  });

  it('flags a destructive statement, which contract then lists for confirmation', () => {
    expect(rawStep(planOf(busy), 'sql:drop-people-orders').destructive).toBe(true);
    expect(rawStep(planOf(busy), 'sql:status-zero').destructive).toBe(false);
  });

  it('is pending until the ledger records it for this release, and then never again', () => {
    const [dropView, createView, update] = sqlSteps(busy);
    const ran = (step: SqlStep, releaseName = 'v2'): RanSqlStep => ({ release: releaseName, id: step.id, hash: step.hash });
    expect(brief(planOf(busy, [ran(createView!)])).filter((s) => s.includes('sql:'))).toEqual(['migrate sql:status-zero', 'contract sql:drop-people-orders']);
    expect(brief(planOf(busy, [ran(createView!), ran(update!), ran(dropView!)])).filter((s) => s.includes('sql:'))).toEqual([]);
    // The same id recorded for another release is another step.
    expect(brief(planOf(busy, [ran(createView!, 'v1')]))).toContain('expand sql:people-orders');
  });

  it('reports a recorded step whose up changed as drift, and does not run it again', () => {
    const d = release({ transitions: [sql({ phase: 'expand', name: 'x', up: 'CREATE VIEW x AS SELECT 2', description: 'x view' })] });
    const p = planOf(d, [{ release: 'v2', id: 'sql:x', hash: 'a'.repeat(64) }]);
    expect(p.steps).toEqual([]);
    expect(p.drift).toEqual([{ table: '', object: 'raw step sql:x', detail: expect.stringMatching(/^ran with different SQL; it is not run again/) }]);
  });

  it.each(['expand', 'migrate'] as const)('refuses a destructive statement in %s while planning, with PolicyViolation naming the step', (phase) => {
    const d = release({ transitions: [sql({ phase, up: ['CREATE VIEW h AS SELECT 1', 'DROP TABLE hosts'], description: 'drop hosts' })] });
    const refused = (() => {
      try {
        planOf(d);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(PolicyViolation);
    expect(refused).toBeInstanceOf(DbtideError);
    expect(refused).toMatchObject({ phase, statement: 'DROP TABLE hosts', statementClass: 'destructive', rawStep: 'sql:drop-hosts' });
    expect((refused as Error).message).toMatch(new RegExp(`^refused: raw step sql:drop-hosts: a destructive statement may not run in ${phase}`));
    expect((refused as DbtideError).hint).toMatch(/phase: 'contract'/);
  });

  it('refuses an unrecognized statement outside contract too, and lets contract run it', () => {
    const step = (phase: 'expand' | 'contract') => release({ transitions: [sql({ phase, up: 'GRANT SELECT ON people TO reader', description: 'grant' })] });
    expect(() => planOf(step('expand'))).toThrow(PolicyViolation);
    expect(brief(planOf(step('contract')))).toEqual(['contract sql:grant']);
  });

  it('wants one statement per entry, as the dialect reads it', () => {
    const two = release({ transitions: [sql({ phase: 'expand', up: ['CREATE VIEW a AS SELECT 1', 'CREATE VIEW b AS SELECT 1; CREATE VIEW c AS SELECT 1'], description: 'views' })] });
    expect(() => planOf(two)).toThrow(/^raw step sql:views: up\[1\] holds 2 statements; nothing was changed$/);
    const comment = release({ transitions: [sql({ phase: 'expand', up: '-- nothing', description: 'nothing' })] });
    expect(() => planOf(comment)).toThrow(/up\[0\] holds no statement/);
    // A body's semicolons belong to its statement.
    const fn = release({ transitions: [sql({ phase: 'expand', up: 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql', description: 'f' })] });
    expect(brief(planOf(fn))).toEqual(['expand sql:f']);
    const trigger = release({
      transitions: [sql({ phase: 'expand', up: 'CREATE TRIGGER t BEFORE INSERT ON people FOR EACH ROW BEGIN SET NEW.score = 0; SET NEW.city = NULL; END', description: 't' })],
    });
    expect(brief(planOf(trigger, [], 'mariadb'))).toEqual(['expand sql:t']);
  });

  it('shows down in plan --format json, on raw steps only', () => {
    const d = release({
      tables: { people: { columns: { status: 'int' } } },
      transitions: [sql({ phase: 'expand', up: 'CREATE VIEW s AS SELECT status FROM people', down: ['DROP VIEW s'], description: 's' })],
    });
    const report: PlanReport = { release: 'v2', server: 'PostgreSQL 15.4', url: 'postgres://x', plan: planOf(d), scripts: { session: [], steps: {}, lockTimeoutMs: 50 } };
    const steps = planJson(report).steps;
    expect(steps.map((s) => [s.id, 'down' in s ? s.down : 'none'])).toEqual([
      ['add-column:people.status', 'none'],
      ['sql:s', ['DROP VIEW s']],
    ]);
  });
});
