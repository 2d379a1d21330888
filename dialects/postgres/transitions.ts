import type { SyncSpec, TransitionSql } from '../../src/dialect.js';
import { QUIET_SETTING } from './backfill.js';
import { quote } from './compiler.js';

/** Marks dbtide's alias views; introspection finds them by it and reads the table they stand for. */
export const ALIAS_COMMENT_PREFIX = 'dbtide:alias-of:';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Assigns expressions over the row to fields of NEW. The expressions name columns as they would in
 * an UPDATE, so they are evaluated against the row itself (`SELECT NEW.*`) rather than rewritten.
 */
function assign(values: Record<string, string>): string {
  const targets = Object.keys(values);
  return `SELECT ${Object.values(values).map((e) => `(${e})`).join(', ')} INTO ${targets.map((t) => `NEW.${quote(t)}`).join(', ')} FROM (SELECT NEW.*) AS _dbtide_row;`;
}

const allNull = (columns: string[]) => columns.map((c) => `NEW.${quote(c)} IS NULL`).join(' AND ');
const row = (alias: 'NEW' | 'OLD', columns: string[]) => `ROW(${columns.map((c) => `${alias}.${quote(c)}`).join(', ')})`;

/**
 * Which way a write goes: an INSERT that leaves the new columns empty, or an UPDATE that leaves
 * them unchanged, came from old code (forward); otherwise new code wrote them (backward). The
 * trigger only assigns to NEW, so it never fires itself again.
 */
function body(sync: SyncSpec): string {
  const targets = Object.keys(sync.forward);
  const backward = Object.keys(sync.backward).length > 0 ? assign(sync.backward) : 'NULL;';
  const forward = assign(sync.forward);
  const decide = sync.fillOnly
    ? `IF ${allNull(targets)} THEN ${forward} END IF;`
    : `IF (TG_OP = 'INSERT' AND ${allNull(targets)}) OR (TG_OP = 'UPDATE' AND ${row('NEW', targets)} IS NOT DISTINCT FROM ${row('OLD', targets)}) THEN
    ${forward}
  ELSE
    ${backward}
  END IF;`;
  return `BEGIN
  IF current_setting(${literal(QUIET_SETTING)}, true) = 'on' THEN RETURN NEW; END IF;
  ${decide}
  RETURN NEW;
END`;
}

export const postgresTransitions: TransitionSql = {
  createSyncTrigger: (sync) => [
    `CREATE OR REPLACE FUNCTION ${quote(sync.trigger)}() RETURNS trigger LANGUAGE plpgsql AS $dbtide$\n${body(sync)}\n$dbtide$`,
    `CREATE TRIGGER ${quote(sync.trigger)} BEFORE INSERT OR UPDATE ON ${quote(sync.table)} FOR EACH ROW EXECUTE FUNCTION ${quote(sync.trigger)}()`,
  ],
  dropSyncTrigger: (table, trigger) => [
    `DROP TRIGGER IF EXISTS ${quote(trigger)} ON ${quote(table)}`,
    `DROP FUNCTION IF EXISTS ${quote(trigger)}()`,
  ],
  countMismatches(sync) {
    const conditions = Object.entries(sync.forward).map(([c, e]) =>
      sync.fillOnly ? `${quote(c)} IS NULL` : `${quote(c)} IS DISTINCT FROM (${e})`,
    );
    return `SELECT count(*) AS n FROM ${quote(sync.table)} WHERE ${conditions.join(' OR ')}`;
  },
  renameTableWithAlias: (from, to) => [
    `ALTER TABLE ${quote(from)} RENAME TO ${quote(to)}`,
    `CREATE VIEW ${quote(from)} AS SELECT * FROM ${quote(to)}`,
    `COMMENT ON VIEW ${quote(from)} IS ${literal(ALIAS_COMMENT_PREFIX + to)}`,
  ],
  dropAlias: (name) => [`DROP VIEW IF EXISTS ${quote(name)}`],
};
