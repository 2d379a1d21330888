import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check, contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema, sql } from '../../src/declaration/define-schema.js';
import { changeType, derive, fillColumn } from '../../src/declaration/transitions.js';
import { introspectLive, withDatabase } from '../../src/engine.js';
import { DbtideError } from '../../src/errors.js';
import { runCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';

const base = {
  payments: { columns: { id: 'int', amount: 'numeric(10,2)', note: 'text' }, primaryKey: ['id'] },
  users: {
    columns: { id: 'int', first_name: 'varchar(50)', last_name: 'varchar(50)', nick: 'varchar(50)', score: 'int' },
    primaryKey: ['id'],
  },
};

const v1 = defineSchema({ release: 'v1', tables: base });

const files = releaseDir();
afterAll(() => files.remove());

/** A release file for the CLI: the base tables, plus `extra` (a `tables` entry's source). */
const releaseFile = (name: string, tables: string) =>
  files.write(
    `${name}.ts`,
    `import { defineSchema } from 'dbtide';
export default defineSchema({ release: '${name}', tables: ${tables} });
`,
  );

/** What the live database holds, schema and dbtide's own objects: a refused run must leave it as it was. */
const liveOf = (url: string) => withDatabase(url, {}, (db) => introspectLive(db));

const refusal = async (work: Promise<unknown>): Promise<DbtideError> => {
  const error = await work.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DbtideError);
  return error as DbtideError;
};

describe.each(targets)('declared expressions on $name', ({ name, create }) => {
  let db: ScratchDatabase;
  let target: Target;
  const postgres = name === 'postgres' || name === 'pglite';

  beforeEach(async () => {
    db = await create('probe');
    target = { url: db.url };
    await expand(target, v1);
    await contract(target, v1);
  });
  afterEach(() => db.drop());

  it('an invalid CHECK on a new and on a live table fails plan, expand and contract, naming table, constraint and path; nothing changes', async () => {
    const file = releaseFile(
      'v2-bad-check',
      `{
        payments: { ...${JSON.stringify(base.payments)}, checks: [{ name: 'payments_amount_check', expression: 'amount >' }] },
        users: ${JSON.stringify(base.users)},
        refunds: { columns: { id: 'int', amount: 'numeric(10,2)' }, primaryKey: ['id'], checks: [{ expression: 'amount > ' }] },
      }`,
    );
    const before = await liveOf(db.url);
    for (const command of [['plan'], ['expand'], ['contract', '--yes']]) {
      const result = await runCli([...command, '--url', db.url, '--schema', file]);
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain('release v2-bad-check declares 2 SQL expression(s) the server refuses; nothing was changed');
      expect(result.stderr).toContain('payments: check "payments_amount_check" (tables.payments.checks.payments_amount_check): amount >');
      expect(result.stderr).toMatch(/refunds: check "refunds_\w+" \(tables\.refunds\.checks\.refunds_\w+\): amount >/);
      expect(result.stderr).toMatch(/the server says: .*(syntax|SQL syntax)/);
      expect(result.stderr).toContain('hint: fix the expression in the release file');
    }
    expect(await liveOf(db.url)).toEqual(before);
  });

  it('refuses, in one error, every bad expression a release declares, before anything changes', async () => {
    const bad = defineSchema({
      release: 'v2-bad',
      tables: {
        payments: {
          columns: { ...base.payments.columns, due: { type: 'date', default: sql('now() +') } },
          primaryKey: ['id'],
          checks: [
            { name: 'payments_fn_check', expression: 'no_such_function(amount) > 0' },
            // PostgreSQL types the row: text + integer is refused; MySQL converts anything.
            ...(postgres ? [{ name: 'payments_type_check', expression: 'note + 1 > 0' }] : []),
          ],
          indexes: [{ name: 'payments_open_idx', columns: ['note'], where: 'amuont > 0' }],
        },
        users: {
          columns: {
            id: 'int',
            nick: 'varchar(50)',
            score: 'bigint',
            display: 'text',
            full_name: 'text',
            region: { type: 'text', nullable: false },
          },
          primaryKey: ['id'],
        },
      },
      transitions: [
        derive('users', { forward: { display: 'upper(nickname)' } }),
        derive('users', {
          forward: { full_name: "concat(first_name, ' ', last_name)" },
          backward: { first_name: 'substr(fulname, 1, 3)', last_name: 'substr(full_name, 5)' },
          retires: ['first_name', 'last_name'],
        }),
        fillColumn('users', 'region', "coalesce(nick, 'x'"),
        changeType('users', 'score', { using: 'scor * 2' }),
      ],
    });
    const before = await liveOf(db.url);
    const error = await refusal(expand(target, bad));
    const refused = error.details.issues!.map((i) => i.path);
    expect(refused).toEqual([
      'tables.payments.columns.due.default',
      // MySQL has no partial indexes: the predicate never reaches the server, so it is not asked about.
      ...(postgres ? ['tables.payments.indexes.payments_open_idx.where'] : []),
      'tables.payments.checks.payments_fn_check',
      ...(postgres ? ['tables.payments.checks.payments_type_check'] : []),
      'transitions[0] (derive) forward.display',
      'transitions[1] (derive) backward.first_name',
      'transitions[2] (fill) expression',
      'transitions[3] (change-type) using',
    ]);
    expect(error.message).toContain('users: derive forward "display" (transitions[0] (derive) forward.display): upper(nickname)');
    expect(error.message).toMatch(/nickname/i);
    expect(error.message).toContain('users: derive backward "first_name" (transitions[1] (derive) backward.first_name): substr(fulname, 1, 3)');
    if (postgres) expect(error.message).toMatch(/operator does not exist: text \+ integer/);
    // plan and the later phases stop the same way, and nothing was touched: no table, column, index or trigger.
    await refusal(planChanges(target, bad));
    await refusal(contract(target, bad));
    expect(await liveOf(db.url)).toEqual(before);
  });

  it('lets valid expressions through: they plan, run in every phase, and the release converges', async () => {
    const good = defineSchema({
      release: 'v2-good',
      tables: {
        payments: {
          columns: { ...base.payments.columns, paid_at: { type: 'timestamp', default: sql('CURRENT_TIMESTAMP') } },
          primaryKey: ['id'],
          checks: [{ name: 'payments_amount_check', expression: 'amount >= 0' }],
          indexes: postgres ? [{ name: 'payments_open_idx', columns: ['amount'], where: 'amount > 0' }] : [],
        },
        users: {
          columns: { id: 'int', nick: 'varchar(50)', score: 'bigint', full_name: 'text', region: { type: 'text', nullable: false } },
          primaryKey: ['id'],
        },
        refunds: {
          columns: { id: 'int', amount: 'numeric(10,2)', reason: { type: 'text', default: "it's a refund" } },
          primaryKey: ['id'],
          checks: [{ name: 'refunds_amount_check', expression: 'amount > 0' }],
        },
      },
      transitions: [
        derive('users', {
          forward: { full_name: "concat(first_name, ' ', last_name)" },
          backward: { first_name: 'substr(full_name, 1, 3)' },
          retires: ['first_name', 'last_name'],
        }),
        fillColumn('users', 'region', "coalesce(nick, 'none')"),
        changeType('users', 'score'),
      ],
    });
    expect((await planChanges(target, good)).plan.steps.length).toBeGreaterThan(0);
    await expand(target, good);
    await migrate(target, good);
    await contract(target, good);
    expect((await check(target, good)).exitCode).toBe(0);
  });
});
