import { describe, expect, it } from 'vitest';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import type { Change } from '../../src/diff/changes.js';
import { emptyTombstones, type DeclaredSchema, type SchemaModel, type TableModel } from '../../src/model/schema-model.js';
import type { ColumnSync } from '../../src/model/transition.js';
import { declaredExpressions, indexEntryExpression, type DeclaredExpression } from '../../src/plan/declared-expressions.js';
import { probeStatement, refusedExpressionsError } from '../../src/plan/probe-expressions.js';
import { T, column, idColumn, index, table } from '../support/model-builders.js';

const declaredWith = (tables: TableModel[], transitions: DeclaredSchema['transitions'] = []): DeclaredSchema => ({
  release: 'r2',
  model: { tables: Object.fromEntries(tables.map((t) => [t.name, t])) },
  removed: emptyTombstones(),
  transitions,
});
const liveWith = (...tables: TableModel[]): SchemaModel => ({ tables: Object.fromEntries(tables.map((t) => [t.name, t])) });

const collect = (changes: Change[], declared: DeclaredSchema, live: SchemaModel = liveWith(), partialIndexes = true) =>
  declaredExpressions(changes, { declared, live, sql: postgresDialect.compiler, partialIndexes });

const brief = (found: DeclaredExpression[]) => found.map((e) => ({ what: e.what, path: e.path, expression: e.expression }));

const payments = table('payments', {
  columns: [
    idColumn(),
    column('amount', T.numeric(10, 2), { default: { kind: 'literal', value: 0 } }),
    column('due', { kind: 'date' }, { default: { kind: 'literal', value: 'not-a-date' } }),
    column('created_at', T.timestamptz, { default: { kind: 'sql', expression: 'now()' } }),
    column('email'),
  ],
  checks: [{ name: 'payments_amount_check', expression: 'amount >', validated: true }],
  indexes: [
    index('payments_email_idx', ['email', 'lower(email) DESC', 'email text_pattern_ops', '(email || id) text_pattern_ops'], {
      where: 'amount > 0',
    }),
  ],
});

describe('declared expressions of a new table', () => {
  it('are its SQL and string defaults, its checks, its index expressions and its predicate, each with its path', () => {
    expect(brief(collect([{ kind: 'create-table', table: payments }], declaredWith([payments])))).toEqual([
      { what: 'default of column "due"', path: 'tables.payments.columns.due.default', expression: "'not-a-date'" },
      { what: 'default of column "created_at"', path: 'tables.payments.columns.created_at.default', expression: 'now()' },
      { what: 'check "payments_amount_check"', path: 'tables.payments.checks.payments_amount_check', expression: 'amount >' },
      { what: 'expression of index "payments_email_idx"', path: 'tables.payments.indexes.payments_email_idx.columns[1]', expression: 'lower(email) DESC' },
      { what: 'expression of index "payments_email_idx"', path: 'tables.payments.indexes.payments_email_idx.columns[3]', expression: '(email || id) text_pattern_ops' },
      { what: 'predicate of index "payments_email_idx"', path: 'tables.payments.indexes.payments_email_idx.where', expression: 'amount > 0' },
    ]);
  });

  it('leave out the predicate where the server has no partial indexes (it never sees it)', () => {
    const found = collect([{ kind: 'create-table', table: payments }], declaredWith([payments]), liveWith(), false);
    expect(found.map((e) => e.path)).not.toContain('tables.payments.indexes.payments_email_idx.where');
  });

  it('read every declared column, under the table name', () => {
    const [check] = collect([{ kind: 'add-check', table: 'payments', check: payments.checks[0]!, existing: 'none' }], declaredWith([payments]));
    expect(check!.probe).toMatchObject({ kind: 'condition', row: { alias: 'payments', columns: payments.columns } });
  });
});

describe('declared expressions of changes to a live table', () => {
  const declared = declaredWith([payments]);

  it('are asked about only for what the changes add: a live check awaiting validation or an index to rebuild is left alone', () => {
    const check = payments.checks[0]!;
    const idx = payments.indexes[0]!;
    expect(collect([
      { kind: 'add-check', table: 'payments', check, existing: 'unvalidated' },
      { kind: 'rebuild-index', table: 'payments', index: idx },
      { kind: 'drop-default', table: 'payments', column: 'amount' },
      { kind: 'drift', table: 'payments', object: 'check x', detail: 'not declared' },
    ], declared)).toEqual([]);
    expect(brief(collect([
      { kind: 'add-check', table: 'payments', check, existing: 'none' },
      { kind: 'set-default', table: 'payments', column: payments.columns[3]! },
      { kind: 'add-column', table: 'payments', column: payments.columns[2]! },
    ], declared)).map((e) => e.path)).toEqual([
      'tables.payments.checks.payments_amount_check',
      'tables.payments.columns.created_at.default',
      'tables.payments.columns.due.default',
    ]);
  });

  it('leave out numeric and boolean literal defaults, which were checked against the type', () => {
    expect(collect([{ kind: 'add-column', table: 'payments', column: payments.columns[1]! }], declared)).toEqual([]);
  });
});

const oldUsers = table('users', { columns: [idColumn(), column('first_name', T.varchar(50)), column('last_name', T.varchar(50)), column('score', T.int)] });
const newUsers = table('users', { columns: [idColumn(), column('full_name'), column('score', T.bigint)] });

const deriveFullName: ColumnSync = {
  kind: 'column-sync',
  id: 'r2:users:full_name',
  table: 'users',
  trigger: '_dbtide_sync_users_full_name',
  declaredAs: 'derive',
  forward: { full_name: "first_name || ' ' || nickname" },
  backward: { first_name: "split_part(full_name, ' ', 1)" },
  retires: ['first_name', 'last_name'],
  sources: ['first_name', 'last_name'],
  fillOnly: false,
  swap: null,
};

const scoreToBigint = (using: string | null): ColumnSync => ({
  ...deriveFullName,
  id: 'r2:users:score',
  trigger: '_dbtide_sync_users_score',
  declaredAs: 'change-type',
  forward: {},
  backward: {},
  retires: [],
  sources: ['score'],
  swap: { column: 'score', shadow: '_dbtide_new_score', type: T.bigint, using },
});

describe('declared expressions of a transition', () => {
  it('are its forward and backward expressions, once however many of its steps are pending, over the live row and the new columns', () => {
    const declared = declaredWith([newUsers], [deriveFullName]);
    const found = collect([
      { kind: 'install-sync', table: 'users', sync: deriveFullName, key: ['id'] },
      { kind: 'backfill', table: 'users', sync: deriveFullName, key: ['id'] },
      { kind: 'remove-sync', table: 'users', sync: deriveFullName },
    ], declared, liveWith(oldUsers));
    expect(brief(found)).toEqual([
      { what: 'derive forward "full_name"', path: 'transitions[0] (derive) forward.full_name', expression: "first_name || ' ' || nickname" },
      { what: 'derive backward "first_name"', path: 'transitions[0] (derive) backward.first_name', expression: "split_part(full_name, ' ', 1)" },
    ]);
    // The trigger reads the row unnamed: `users.first_name` must fail here as it would there.
    expect(found[0]!.probe).toEqual({
      kind: 'value',
      row: { alias: '_dbtide_row', columns: [...oldUsers.columns, newUsers.columns[1]!] },
      expression: "first_name || ' ' || nickname",
      type: T.text,
    });
    // The backward value lands in the old column, of its live type.
    expect(found[1]!.probe).toMatchObject({ type: T.varchar(50) });
  });

  it('of a type change is the declared conversion, or the cast the trigger would run, into the new type', () => {
    const withUsing = scoreToBigint('score * 100');
    const [declaredConversion] = collect([{ kind: 'install-sync', table: 'users', sync: withUsing, key: ['id'] }], declaredWith([newUsers], [withUsing]), liveWith(oldUsers));
    expect(declaredConversion).toMatchObject({ path: 'transitions[0] (change-type) using', expression: 'score * 100', what: 'change-type forward "score"', probe: { type: T.bigint } });
    const plain = scoreToBigint(null);
    const [cast] = collect([{ kind: 'swap-column', table: 'users', sync: plain }], declaredWith([newUsers], [plain]), liveWith(oldUsers));
    expect(cast).toMatchObject({ path: 'transitions[0] (change-type) (the default cast)', expression: 'CAST("score" AS bigint)' });
    // The old column keeps its live type in the row the conversion reads.
    expect(cast!.probe.row.columns.find((c) => c.name === 'score')!.type).toEqual(T.int);
  });

  it('of a table renamed in the same release read the live table under its old name', () => {
    const renamed: DeclaredSchema['transitions'] = [{ kind: 'rename-table', from: 'people', to: 'users' }, deriveFullName];
    const [forward] = collect([{ kind: 'install-sync', table: 'users', sync: deriveFullName, key: ['id'] }], declaredWith([newUsers], renamed), liveWith({ ...oldUsers, name: 'people' }));
    expect(forward!.path).toBe('transitions[1] (derive) forward.full_name');
    expect(forward!.probe.row.columns.map((c) => c.name)).toEqual(['id', 'first_name', 'last_name', 'score', 'full_name']);
  });
});

describe('index entries', () => {
  it.each([
    ['email', null],
    ['email DESC', null],
    ['email asc nulls last', null],
    ['name(10)', null],
    ['email text_pattern_ops', null],
    ['lower(email)', 'lower(email)'],
    ['lower(email) DESC NULLS FIRST', 'lower(email)'],
    ['lower(email) text_pattern_ops', 'lower(email)'],
    ['(a || b)', '(a || b)'],
    ["coalesce(a, 'x') || b", "coalesce(a, 'x') || b"],
  ])('%s -> %s', (entry, expression) => {
    expect(indexEntryExpression(entry, [])).toBe(expression);
  });
});

describe('probe statements', () => {
  const row = { alias: 'payments', columns: [idColumn(), column('amount', T.numeric(10, 2)), column('kind', { kind: 'native', sql: "enum('a','b')" })] };
  const at = (probe: DeclaredExpression['probe']): DeclaredExpression => ({ table: 'payments', what: 'x', path: 'p', expression: 'e', probe });
  const due = column('due', { kind: 'date' }, { default: { kind: 'literal', value: "it's" } });
  const now = column('created_at', T.timestamptz, { default: { kind: 'sql', expression: 'CURRENT_TIMESTAMP' } });

  it('on PostgreSQL read typed NULLs and convert values and defaults to the column type', () => {
    const pg = postgresDialect;
    const pgRow = { ...row, columns: row.columns.slice(0, 2) };
    expect(probeStatement(at({ kind: 'condition', row: pgRow, expression: 'amount >' }), pg)).toBe(
      'EXPLAIN SELECT 1 FROM (SELECT CAST(NULL AS bigint) AS "id", CAST(NULL AS numeric(10,2)) AS "amount") AS "payments" WHERE (amount >)',
    );
    expect(probeStatement(at({ kind: 'value', row: pgRow, expression: 'amount + 1', type: T.text }), pg)).toBe(
      'EXPLAIN SELECT CAST((amount + 1) AS text) FROM (SELECT CAST(NULL AS bigint) AS "id", CAST(NULL AS numeric(10,2)) AS "amount") AS "payments"',
    );
    expect(probeStatement(at({ kind: 'value', row: pgRow, expression: 'lower(email)', type: null }), pg)).toBe(
      'EXPLAIN SELECT (lower(email)) FROM (SELECT CAST(NULL AS bigint) AS "id", CAST(NULL AS numeric(10,2)) AS "amount") AS "payments"',
    );
    // A default reads no column on PostgreSQL.
    expect(probeStatement(at({ kind: 'default', row: pgRow, column: due }), pg)).toBe("EXPLAIN SELECT CAST(('it''s') AS date)");
  });

  it('on MySQL read plain NULLs (CAST knows no ENUM) and let defaults read the row', () => {
    const my = mysqlDialect;
    const source = '(SELECT NULL AS `id`, NULL AS `amount`, NULL AS `kind`) AS `payments`';
    expect(probeStatement(at({ kind: 'condition', row, expression: 'amount >' }), my)).toBe(`EXPLAIN SELECT 1 FROM ${source} WHERE (amount >)`);
    expect(probeStatement(at({ kind: 'value', row, expression: 'upper(kind)', type: T.text }), my)).toBe(`EXPLAIN SELECT (upper(kind)) FROM ${source}`);
    expect(probeStatement(at({ kind: 'default', row, column: due }), my)).toBe(`EXPLAIN SELECT ('it''s') FROM ${source}`);
    expect(probeStatement(at({ kind: 'default', row, column: now }), my)).toBe(`EXPLAIN SELECT (CURRENT_TIMESTAMP(6)) FROM ${source}`);
  });
});

describe('the error', () => {
  it('names every refused expression: table, what, path, expression and the server\'s words; nothing was changed', () => {
    const [check, forward] = [
      ...collect([{ kind: 'create-table', table: payments }], declaredWith([payments])).filter((e) => e.what.startsWith('check')),
      ...collect([{ kind: 'install-sync', table: 'users', sync: deriveFullName, key: ['id'] }], declaredWith([newUsers], [deriveFullName]), liveWith(oldUsers)),
    ];
    const error = refusedExpressionsError('r2', [
      { expression: check!, reason: 'syntax error at or near ")"' },
      { expression: forward!, reason: 'column "nickname" does not exist' },
    ]);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      'release r2 declares 2 SQL expression(s) the server refuses; nothing was changed:\n' +
        '  payments: check "payments_amount_check" (tables.payments.checks.payments_amount_check): amount >\n' +
        '    the server says: syntax error at or near ")"\n' +
        '  users: derive forward "full_name" (transitions[0] (derive) forward.full_name): first_name || \' \' || nickname\n' +
        '    the server says: column "nickname" does not exist',
    );
    expect(error.hint).toMatch(/fix the expression in the release file.*nothing was changed/);
    expect(error.details.issues).toEqual([
      { path: 'tables.payments.checks.payments_amount_check', message: 'check "payments_amount_check" on payments: amount >: syntax error at or near ")"' },
      { path: 'transitions[0] (derive) forward.full_name', message: 'derive forward "full_name" on users: first_name || \' \' || nickname: column "nickname" does not exist' },
    ]);
  });
});
