/**
 * Every identifier dbtide writes into SQL goes through the dialect's quote function. The check is
 * a substitution: the SQL rendered for a hostile name, with that name replaced by a plain one
 * wherever it stands quoted (alone, inside a derived name, or inside a literal), must equal the
 * SQL rendered for the plain name. A hostile name written anywhere without quotes survives the
 * substitution and makes the two differ.
 */
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../src/model/locks.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import type { Dialect } from '../../src/dialect.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import { readIndexKey, readIndexKeys, type IndexKey } from '../../src/model/index-entry.js';
import type { ColumnSync } from '../../src/model/transition.js';
import { probeStatement } from '../../src/plan/probe-expressions.js';
import { syncSpec } from '../../src/plan/operations/column-sync.js';
import { check, column, foreignKey, index, T, table } from '../support/model-builders.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import type { PrecheckRule } from '../../src/model/precheck-rule.js';

const HOSTILE = ['User', 'userName', 'with space', 'we"ird', 'back`tick', 'semi;colon', 'prénom', 'order', 'select', 'group', "it's", '$dbtide$', '--x', '/*x*/', 'a,b', 'a)b'];
const PLAIN = 'plain';

const DIALECTS: [string, Dialect][] = [['postgres', postgresDialect], ['mysql', mysqlDialect]];

/** Quoted identifiers and string literals, in either dialect's spelling. */
const QUOTED = /'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`/g;

/** `sql` with `name` replaced by `PLAIN` in every quoted identifier and literal that holds it. */
function substitute(sql: string, name: string): string {
  return sql.replace(QUOTED, (token) => {
    const q = token[0]!;
    const inner = token.slice(1, -1);
    if (q === "'") return `'${substitute(inner.replaceAll("''", "'"), name).replaceAll(name, PLAIN).replaceAll("'", "''")}'`;
    const text = inner.replaceAll(q + q, q).replaceAll(name, PLAIN);
    return q + text.replaceAll(q, q + q) + q;
  });
}

/** Every statement dbtide renders that names `n` (as table, column, index, constraint, trigger). */
function statements(d: Dialect, n: string): string[] {
  const { compiler: c, transitions: tr, backfill: b, scan: s, probe } = d;
  const col = column(n, T.int, { default: { kind: 'literal', value: 0 } });
  const fk = foreignKey(`${n}_fk`, [n], n, { referencedColumns: [n] });
  const whole = table(n, {
    columns: [column(n, T.int, { nullable: false }), col],
    primaryKey: { name: `${n}_pkey`, columns: [n] },
    uniques: [{ name: `${n}_key`, columns: [n] }],
    checks: [check(`${n}_check`, 'true')],
  });
  const keys: IndexKey[] = readIndexKeys([n, `${n} DESC`, 'lower(x)'], [n]);
  const sync: SyncSpec = { table: n, trigger: `${n}_sync`, forward: { [`${n}_new`]: c.quote(n) }, backward: { [n]: c.quote(`${n}_new`) }, fillOnly: false, sources: [n], key: [n] };
  const rules: PrecheckRule[] = [
    { kind: 'not-null', columns: [n] },
    { kind: 'unique', keys, where: null },
    { kind: 'foreign-key', foreignKey: fk },
    { kind: 'verification', sync, exact: true },
    { kind: 'verification', sync, exact: false },
  ];
  const job = { id: 'j', table: n, key: [n, `${n}2`], set: { [`${n}_new`]: c.quote(n) }, where: `${c.quote(`${n}_new`)} IS NULL` };
  const offenders = s.offenders(n, rules[0]!, [n]);
  const all: (string | Statement)[] = [
    c.createTable(whole),
    c.dropTable(n),
    c.addColumn(n, col),
    c.dropColumn(n, n),
    c.alterColumnType(n, col, { inPlace: false }),
    c.setDefault(n, col),
    c.dropDefault(n, n),
    c.setNotNull(n, col, { provenByCheck: false }),
    c.dropNotNull(n, col),
    c.createIndex(n, index(`${n}_idx`, [n]), keys, { online: true }),
    c.createIndex(n, index(`${n}_idx`, [n], { unique: true }), keys, { online: false }),
    c.dropIndex(n, `${n}_idx`, { online: true }),
    c.addPrimaryKey(n, { name: `${n}_pkey`, columns: [n] }, { usingIndex: null }),
    c.addUnique(n, { name: `${n}_key`, columns: [n] }, { usingIndex: null }),
    c.addUnique(n, { name: `${n}_key`, columns: [n] }, { usingIndex: `${n}_key` }),
    ...c.addForeignKey(n, fk, { validate: false }),
    c.addCheck(n, check(`${n}_check`, 'true'), { validate: false }),
    c.dropConstraint(n, `${n}_key`, 'unique'),
    c.dropConstraint(n, `${n}_fk`, 'foreign-key'),
    c.renameColumn(n, n, `${n}_new`),
    c.renameConstraint(n, `${n}_key`, `${n}_key2`),
    c.renameIndex(n, `${n}_idx`, `${n}_idx2`),
    c.cast(c.quote(n), T.bigint),
    ...tr.createSyncTrigger(sync),
    ...tr.createSyncTrigger({ ...sync, forward: { [`${n}_new`]: `${c.quote(n)} + 1` }, sources: [] }),
    ...tr.createSyncTrigger({ ...sync, backward: {}, fillOnly: true }),
    ...tr.dropSyncTrigger(n, `${n}_sync`),
    ...tr.swapColumn(n, n, `${n}_new`, `${n}_sync`, { tableLock: true }),
    ...tr.renameTableWithAlias(n, `${n}_new`),
    ...tr.dropAlias(n),
    b.lastKey(job),
    b.batchEnd(job, true),
    b.update(job, false),
    b.update(job, true),
    ...rules.map((r) => s.offenders(n, r, [n])),
    ...rules.filter((r) => r.kind !== 'unique').map((r) => s.countInRange(n, r, [n], true)),
    s.page(offenders, [n], true, 10),
    s.lockOffenders(n, [n], 2, offenders),
    s.dependents({ table: n, key: [n] }, fk, [n], 2),
    s.copyToShadow(n, `shadow_${n}`, [n, `${n}2`], [n], 2),
    s.deleteRows(n, [n], 2),
    s.fillDefault(n, col, [n], 2),
    s.shadowColumns(n),
    ...s.markShadow(`shadow_${n}`, n),
    probeStatement({ table: n, what: 'x', path: 'p', expression: 'true', probe: { kind: 'condition', row: { alias: n, columns: [col] }, expression: 'true' } }, { probe, compiler: c }),
    probeStatement({ table: n, what: 'x', path: 'p', expression: '1', probe: { kind: 'default', row: { alias: n, columns: [col] }, column: col } }, { probe, compiler: c }),
  ];
  return all.map((x) => (typeof x === 'string' ? x : x.sql));
}

describe.each(DIALECTS)('%s: every identifier is quoted', (_, dialect) => {
  const plain = statements(dialect, PLAIN);

  it.each(HOSTILE)('%s', (name) => {
    const hostile = statements(dialect, name);
    // A name holding the trigger body's dollar-quote tag makes the body take another.
    expect(hostile.map((sql) => substitute(sql, name).replace(/\$dbtide\d+\$/g, '$dbtide$'))).toEqual(plain);
  });

  it.each(HOSTILE)('%s: the statement guard classifies each statement as it does the plain one', (name) => {
    const classify = (sql: string) => dialect.statements.classify(sql);
    expect(statements(dialect, name).map(classify)).toEqual(plain.map(classify));
  });

  it.each(HOSTILE)('%s: a table rename with its alias view may run in expand', (name) => {
    expect(() => guardStep('expand', dialect.transitions.renameTableWithAlias(name, `${name} renamed`).map((s) => s.sql), dialect.statements)).not.toThrow();
  });
});

describe('a renamed column is read by its quoted name, so PostgreSQL does not fold userName to username', () => {
  const sync: ColumnSync = {
    kind: 'column-sync', id: 'v2:User:displayName', table: 'User', trigger: 't', declaredAs: 'rename-column',
    forward: { displayName: 'userName' }, backward: { userName: 'displayName' }, retires: ['userName'], sources: ['userName'], fillOnly: false, swap: null,
  };

  it.each<[string, Dialect, string, string]>([
    ['postgres', postgresDialect, '"userName"', '"displayName"'],
    ['mysql', mysqlDialect, '`userName`', '`displayName`'],
  ])('%s', (_, dialect, from, to) => {
    const spec = { ...syncSpec(sync, { sql: dialect.compiler }), key: ['id'] };
    expect(spec).toMatchObject({ forward: { displayName: from }, backward: { userName: to } });
    expect(dialect.transitions.createSyncTrigger(spec).map((s) => s.sql).join('\n')).toContain(`NEW.${from}`);
  });

  it('derive and fill expressions stay as the user wrote them', () => {
    const derive: ColumnSync = { ...sync, declaredAs: 'derive', forward: { full: 'first || last' }, backward: {} };
    expect(syncSpec(derive, { sql: postgresDialect.compiler }).forward).toEqual({ full: 'first || last' });
  });
});

describe('the PostgreSQL trigger body is dollar-quoted with a tag no name in it holds', () => {
  it.each([
    ['plain', '$dbtide$'],
    ['$dbtide$', '$dbtide1$'],
  ])('%s', (name, tag) => {
    const [fn] = postgresDialect.transitions.createSyncTrigger({ table: 't', trigger: 'f', forward: { [name]: '"x"' }, backward: {}, fillOnly: true, sources: [], key: ['id'] });
    expect(fn!.sql.endsWith(`\n${tag}`)).toBe(true);
    expect(fn!.sql.split(tag)).toHaveLength(3);
  });
});

describe('index entries: a column name is that column, whatever it holds; anything else is an expression', () => {
  const columns = ['email', 'with space', 'we"ird', 'back`tick', 'semi;colon', 'prénom', 'a', 'a b', 'lower(x)', 'order'];
  const col = (column: string, modifiers = '', prefix: number | null = null): IndexKey => ({ kind: 'column', column, prefix, modifiers });
  const expr = (expression: string): IndexKey => ({ kind: 'expression', expression });

  it.each<[string, IndexKey]>([
    ['email', col('email')],
    ['email DESC', col('email', 'DESC')],
    ['email desc nulls last', col('email', 'DESC NULLS LAST')],
    ['email text_pattern_ops', col('email', 'text_pattern_ops')],
    ['email(10)', col('email', '', 10)],
    ['email(10) DESC', col('email', 'DESC', 10)],
    ['with space', col('with space')],
    ['with space DESC', col('with space', 'DESC')],
    ['we"ird', col('we"ird')],
    ['back`tick', col('back`tick')],
    ['semi;colon', col('semi;colon')],
    ['semi;colon DESC', col('semi;colon', 'DESC')],
    ['prénom', col('prénom')],
    ['prénom(5)', col('prénom', '', 5)],
    ['order', col('order')],
    ['a b', col('a b')],
    ['a b DESC', col('a b', 'DESC')],
    ['a DESC', col('a', 'DESC')],
    ['lower(x)', col('lower(x)')],
    ['undeclared', col('undeclared')],
    ['undeclared ASC', col('undeclared', 'ASC')],
    ['lower(email)', expr('lower(email)')],
    ['lower(email) DESC', expr('lower(email) DESC')],
    ['email || prénom', expr('email || prénom')],
    ['"email"', expr('"email"')],
    ['we"ird + 1', expr('we"ird + 1')],
    ['with space + 1', expr('with space + 1')],
    ['with spaces', col('with', 'spaces')],
    ['email COLLATE "C"', col('email', 'COLLATE "C"')],
    ['email collate "C" text_pattern_ops desc', col('email', 'COLLATE "C" text_pattern_ops DESC')],
    ['lower(email) COLLATE "C"', expr('lower(email) COLLATE "C"')],
  ])('%s', (entry, key) => {
    expect(readIndexKey(entry, columns)).toEqual(key);
  });

  it.each<[string, string[], string, string]>([
    ['with space', ['with space DESC'], '"with space" DESC', '`with space` DESC'],
    ['we"ird', ['we"ird'], '"we""ird"', '`we"ird`'],
    ['back`tick', ['back`tick(8)'], '"back`tick"(8)', '`back``tick`(8)'],
    ['semi;colon', ['semi;colon', 'lower(x)'], '"semi;colon", lower(x)', '`semi;colon`, (lower(x))'],
    ['prénom', ['prénom'], '"prénom"', '`prénom`'],
  ])('%s renders quoted on each dialect', (column, entries, pg, my) => {
    const keys = readIndexKeys(entries, [column]);
    expect(postgresDialect.compiler.createIndex('t', index('i', entries), keys, { online: false }).sql).toBe(`CREATE INDEX "i" ON "t" (${pg})`);
    expect(mysqlDialect.compiler.createIndex('t', index('i', entries), keys, { online: true }).sql).toBe(
      `ALTER TABLE \`t\` ADD INDEX \`i\` (${my}), ALGORITHM=INPLACE, LOCK=NONE`,
    );
  });
});
