import type { TransitionSql } from '../../src/dialect.js';
import { QUIET_SETTING } from './backfill.js';
import { literal, postgresCompiler, quote } from './compiler.js';
import { syncRules, updateTriggerName, type RowTest, type SyncBranch } from '../../src/dialect-kit/sync-rules.js';
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

/** What opens the `i`th branch of an IF that tries each in turn. */
const opening = (b: SyncBranch, i: number) => (b.when.test === 'always' ? 'ELSE' : `${i === 0 ? 'IF' : 'ELSIF'} ${holds(b.when)} THEN`);

const inline = (branches: SyncBranch[], act: (b: SyncBranch) => string) => `${branches.map((b, i) => `${opening(b, i)} ${act(b)}`).join(' ')} END IF;`;

const valuesOf = (sync: SyncSpec, b: SyncBranch) => (b.go === 'forward' ? sync.forward : sync.backward);

/** An INSERT's share of the core's rules: assigned to the row before it is written. */
function insertBody(sync: SyncSpec): string {
  return `BEGIN
  ${inline(syncRules(sync).insert, (b) => assign(valuesOf(sync, b)))}
  RETURN NEW;
END`;
}

/**
 * An UPDATE's share, after the row is written: the row is written again, found by its key, with
 * the values computed over it as it now stands, and only where they differ. That write does not
 * set off this sync again (its backward expression, run on what the forward one just wrote, could
 * change what old code wrote), but does set off the table's other syncs, as one sync's assignment
 * to NEW reached the next BEFORE trigger: a rename's backward write of an old column reaches a
 * derive that reads it. The setting that says which sync is writing is put back as it was, so a
 * transaction's later statements fire every trigger again.
 */
function updateBody(sync: SyncSpec): string {
  const key = sync.key;
  if (!key || key.length === 0) throw new Error(`internal: the dual-write trigger of ${sync.table} needs the table's primary key`);
  const writing = literal(WRITING_SETTING);
  const rewrite = (b: SyncBranch) => {
    const values = valuesOf(sync, b);
    const columns = Object.keys(values).map(quote);
    const computed = Object.values(values).map((e) => `(${e})`);
    const where = [...key.map((k) => `${quote(k)} = NEW.${quote(k)}`), `ROW(${columns.join(', ')}) IS DISTINCT FROM ROW(${computed.join(', ')})`];
    return [
      `PERFORM set_config(${writing}, ${literal(sync.trigger)}, true);`,
      `UPDATE ${quote(sync.table)} SET ${columns.map((c, i) => `${c} = ${computed[i]}`).join(', ')} WHERE ${where.join(' AND ')};`,
      `PERFORM set_config(${writing}, _dbtide_writing, true);`,
    ].map((line) => `    ${line}`).join('\n');
  };
  const branches = syncRules(sync).update.map((b, i) => `  ${opening(b, i)}\n${rewrite(b)}`);
  // Columns win over the function's variable where a name could be either.
  return `#variable_conflict use_column
DECLARE
  _dbtide_writing text := coalesce(current_setting(${writing}, true), '');
BEGIN
${branches.join('\n')}
  END IF;
  RETURN NULL;
END`;
}

/** The backfill's own writes are filtered in the triggers' WHEN clause, which the executor checks without entering PL/pgSQL. */
const notQuiet = `current_setting(${literal(QUIET_SETTING)}, true) IS DISTINCT FROM 'on'`;

/** The sync whose UPDATE trigger is writing the row again, for the transaction's rest: its own trigger leaves that write alone. */
const WRITING_SETTING = 'dbtide.writing';

/**
 * The UPDATE trigger fires only for an update its rules act on: the others are not even queued.
 * It runs AFTER the update, not BEFORE: a BEFORE UPDATE row trigger makes PostgreSQL lock each row
 * before the update, even when its WHEN clause is false, and WAL-log that lock, which every row of
 * the backfill's own updates would pay (a seventh of their time: with it, the backfill of
 * `npm run bench` ran 1.04-1.13 times as fast as one UPDATE of the table, without it 1.21-1.28).
 * An AFTER trigger takes no such lock.
 */
function updateFiring(sync: SyncSpec): string {
  const { updateOf, update } = syncRules(sync);
  const onUpdate = updateOf ? `UPDATE OF ${updateOf.map(quote).join(', ')}` : 'UPDATE';
  const acts = update.some((b) => b.when.test === 'always') ? 'TRUE' : update.map((b) => `(${holds(b.when)})`).join(' OR ');
  const notItsOwn = `current_setting(${literal(WRITING_SETTING)}, true) IS DISTINCT FROM ${literal(sync.trigger)}`;
  return `AFTER ${onUpdate} ON ${quote(sync.table)} FOR EACH ROW WHEN (${notQuiet} AND ${notItsOwn} AND (${acts}))`;
}

/** The body between dollar quotes whose tag it does not hold: a column may be named `$dbtide$`. */
function dollarQuoted(text: string): string {
  let tag = '$dbtide$';
  for (let n = 1; text.includes(tag); n++) tag = `$dbtide${n}$`;
  return `${tag}\n${text}\n${tag}`;
}

export const postgresTransitions: TransitionSql = {
  ...postgresVersionSchemas,
  // The UPDATE function writes the table by name: it resolves names in the search_path of the
  // session that creates it (the one the plan's expressions were checked in), not the writer's.
  // It runs as its owner, as the INSERT trigger's assignments do: no column grant or row policy
  // of the writer's stands between an UPDATE and the columns it keeps in step. (A sync an earlier
  // dbtide installed is one BEFORE INSERT OR UPDATE trigger under the sync's name, found and
  // dropped as the INSERT one is.)
  createSyncTrigger: (sync) => {
    const update = updateTriggerName(sync.trigger);
    return [
      ...withLock(
        PG_LOCK.none,
        `CREATE OR REPLACE FUNCTION ${quote(update)}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS ${dollarQuoted(updateBody(sync))}`,
        `CREATE OR REPLACE FUNCTION ${quote(sync.trigger)}() RETURNS trigger LANGUAGE plpgsql AS ${dollarQuoted(insertBody(sync))}`,
      ),
      ...withLock(
        PG_LOCK.shareRow,
        `CREATE TRIGGER ${quote(update)} ${updateFiring(sync)} EXECUTE FUNCTION ${quote(update)}()`,
        `CREATE TRIGGER ${quote(sync.trigger)} BEFORE INSERT ON ${quote(sync.table)} FOR EACH ROW WHEN (${notQuiet}) EXECUTE FUNCTION ${quote(sync.trigger)}()`,
      ),
    ];
  },
  dropSyncTrigger: (table, trigger) => [
    ...withLock(
      PG_LOCK.metadata,
      `DROP TRIGGER IF EXISTS ${quote(trigger)} ON ${quote(table)}`,
      `DROP TRIGGER IF EXISTS ${quote(updateTriggerName(trigger))} ON ${quote(table)}`,
    ),
    ...withLock(PG_LOCK.none, `DROP FUNCTION IF EXISTS ${quote(trigger)}()`, `DROP FUNCTION IF EXISTS ${quote(updateTriggerName(trigger))}()`),
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
  // One transaction: old code's statements wait at the view's drop until the table has its name.
  restoreTableName: (alias, table) => [
    ...postgresTransitions.dropAlias(alias),
    ...withLock(PG_LOCK.metadata, `ALTER TABLE ${quote(table)} RENAME TO ${quote(alias)}`),
  ],
};
