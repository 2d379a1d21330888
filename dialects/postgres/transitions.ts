import type { TransitionSql } from '../../src/dialect.js';
import { QUIET_SETTING } from './backfill.js';
import { literal, postgresCompiler, quote } from './compiler.js';
import { syncRules, type RowTest, type SyncBranch } from '../../src/dialect-kit/sync-rules.js';
import { postgresVersionSchemas } from './version-schemas.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { withLock } from '../../src/model/locks.js';
import { PG_LOCK } from './locks.js';

/** Marks dbtide's alias views; introspection finds them by it and reads the table they stand for. */
export const ALIAS_COMMENT_PREFIX = 'dbtide:alias-of:';

/** A copy of one column, or the cast the compiler writes for a type change: read straight from NEW. */
const COPY = /^(?:([a-z_][a-z0-9_$]*)|"((?:[^"]|"")+)")$/;
const CAST = /^CAST\("((?:[^"]|"")+)" AS ([^()]+(?:\(\d+(?:,\d+)?\))?)\)$/;

function direct(expression: string): string | null {
  const copy = COPY.exec(expression);
  if (copy) return `NEW.${quote(copy[1] ?? copy[2]!.replace(/""/g, '"'))}`;
  const cast = CAST.exec(expression);
  return cast ? `CAST(NEW.${quote(cast[1]!.replace(/""/g, '"'))} AS ${cast[2]})` : null;
}

/**
 * Assigns expressions over the row to fields of NEW. The expressions name columns as they would in
 * an UPDATE, so they are evaluated against the row itself (`SELECT NEW.*`) rather than rewritten;
 * plain copies and casts are assigned directly, which spares a query per written row.
 */
function assign(values: Record<string, string>): string {
  const targets = Object.keys(values);
  const simple = Object.values(values).map(direct);
  if (simple.every((s) => s !== null)) return targets.map((t, i) => `NEW.${quote(t)} := ${simple[i]};`).join(' ');
  return `SELECT ${Object.values(values).map((e) => `(${e})`).join(', ')} INTO ${targets.map((t) => `NEW.${quote(t)}`).join(', ')} FROM (SELECT NEW.*) AS _dbtide_row;`;
}

const row = (alias: 'NEW' | 'OLD', columns: string[]) => `ROW(${columns.map((c) => `${alias}.${quote(c)}`).join(', ')})`;

function holds(when: RowTest): string {
  switch (when.test) {
    case 'all-null': return when.columns.map((c) => `NEW.${quote(c)} IS NULL`).join(' AND ');
    case 'changed': return `${row('NEW', when.columns)} IS DISTINCT FROM ${row('OLD', when.columns)}`;
    case 'unchanged': return `NOT (${row('NEW', when.columns)} IS DISTINCT FROM ${row('OLD', when.columns)})`;
    case 'always': return 'TRUE';
  }
}

/** The core's rules in PL/pgSQL: one function serves both events, told apart by TG_OP. */
function body(sync: SyncSpec): string {
  const rules = syncRules(sync);
  const act = (b: SyncBranch) => assign(b.go === 'forward' ? sync.forward : sync.backward);
  const inline = (branches: SyncBranch[]) =>
    `${branches.map((b, i) => (b.when.test === 'always' ? `ELSE ${act(b)}` : `${i === 0 ? 'IF' : 'ELSIF'} ${holds(b.when)} THEN ${act(b)}`)).join(' ')} END IF;`;
  const decide = sync.fillOnly
    ? inline(rules.insert)
    : `IF TG_OP = 'INSERT' THEN
    ${inline(rules.insert)}
  ${rules.update.map((b) => `ELSIF ${holds(b.when)} THEN\n    ${act(b)}`).join('\n  ')}
  END IF;`;
  return `BEGIN
  ${decide}
  RETURN NEW;
END`;
}

/**
 * The backfill's own writes are filtered in the trigger's WHEN clause, which the executor checks
 * without entering PL/pgSQL; updates that cannot need the trigger do not fire it at all.
 */
function firing(sync: SyncSpec): string {
  const quiet = `current_setting(${literal(QUIET_SETTING)}, true) IS DISTINCT FROM 'on'`;
  const { updateOf } = syncRules(sync);
  const onUpdate = updateOf ? `UPDATE OF ${updateOf.map(quote).join(', ')}` : 'UPDATE';
  return `BEFORE INSERT OR ${onUpdate} ON ${quote(sync.table)} FOR EACH ROW WHEN (${quiet})`;
}

/** The body between dollar quotes whose tag it does not hold: a column may be named `$dbtide$`. */
function dollarQuoted(text: string): string {
  let tag = '$dbtide$';
  for (let n = 1; text.includes(tag); n++) tag = `$dbtide${n}$`;
  return `${tag}\n${text}\n${tag}`;
}

export const postgresTransitions: TransitionSql = {
  ...postgresVersionSchemas,
  createSyncTrigger: (sync) => [
    ...withLock(PG_LOCK.none, `CREATE OR REPLACE FUNCTION ${quote(sync.trigger)}() RETURNS trigger LANGUAGE plpgsql AS ${dollarQuoted(body(sync))}`),
    ...withLock(PG_LOCK.shareRow, `CREATE TRIGGER ${quote(sync.trigger)} ${firing(sync)} EXECUTE FUNCTION ${quote(sync.trigger)}()`),
  ],
  dropSyncTrigger: (table, trigger) => [
    ...withLock(PG_LOCK.metadata, `DROP TRIGGER IF EXISTS ${quote(trigger)} ON ${quote(table)}`),
    ...withLock(PG_LOCK.none, `DROP FUNCTION IF EXISTS ${quote(trigger)}()`),
  ],
  // One transaction: writers wait at the trigger's drop until the swap commits.
  swapColumn: (table, column, shadow, trigger) => [
    ...postgresTransitions.dropSyncTrigger(table, trigger),
    postgresCompiler.dropColumn(table, column),
    postgresCompiler.renameColumn(table, shadow, column),
  ],
  renameTableWithAlias: (from, to) => [
    ...withLock(PG_LOCK.metadata, `ALTER TABLE ${quote(from)} RENAME TO ${quote(to)}`),
    ...withLock(PG_LOCK.none, `CREATE VIEW ${quote(from)} AS SELECT * FROM ${quote(to)}`, `COMMENT ON VIEW ${quote(from)} IS ${literal(ALIAS_COMMENT_PREFIX + to)}`),
  ],
  // Old code's view goes: its readers wait for the drop's brief exclusive lock, the table's do not.
  dropAlias: (name) => withLock(PG_LOCK.metadata, `DROP VIEW IF EXISTS ${quote(name)}`),
};
