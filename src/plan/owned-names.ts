import { fitName } from '../declaration/names.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';
import { COPY_PREFIX } from '../model/table-copy.js';

/**
 * Objects dbtide creates for its own use carry its prefix (kept when a long name is shortened),
 * so the diff recognizes them as dbtide's, never as drift.
 */
export const isOwnedName = (name: string) => name.startsWith(OWN_TABLE_PREFIX);

/** The CHECK (c IS NOT NULL) that lets SET NOT NULL skip its scan. */
export const notNullCheckName = (table: string, column: string) => fitName(`${OWN_TABLE_PREFIX}nn_${table}_${column}`);

/**
 * A copy of the table (src/diff/not-null-copies.ts): the copy, the table it replaced (until
 * dropped), the copy triggers (per schema on MySQL, so named for the table), the copy job of a
 * NOT NULL's copy and of a backfill's.
 */
export const tableCopyNames = (table: string) => {
  const trigger = fitName(`${OWN_TABLE_PREFIX}copy_${table}`);
  return {
    copy: fitName(`${COPY_PREFIX.copy}${table}`),
    old: fitName(`${COPY_PREFIX.old}${table}`),
    triggers: { insert: trigger, update: fitName(`${trigger}_upd`), delete: fitName(`${trigger}_del`) },
    job: `not-null-copy:${table}`,
    fillJob: `backfill-copy:${table}`,
    indexJob: `index-copy:${table}`,
  };
};
