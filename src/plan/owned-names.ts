import { fitName } from '../declaration/names.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';

/**
 * Objects dbtide creates for its own use carry its prefix (kept when a long name is shortened),
 * so the diff recognizes them as dbtide's, never as drift.
 */
export const isOwnedName = (name: string) => name.startsWith(OWN_TABLE_PREFIX);

/** The CHECK (c IS NOT NULL) that lets SET NOT NULL skip its scan. */
export const notNullCheckName = (table: string, column: string) => fitName(`${OWN_TABLE_PREFIX}nn_${table}_${column}`);

/**
 * NOT NULL through a shadow column (src/diff/not-null-shadows.ts): the copy of the column, the
 * triggers that keep it in step (per schema on MySQL, so named for the table too), the copy of
 * each of its indexes (per table), and the fill job.
 */
export const notNullShadowNames = (table: string, column: string) => ({
  column: fitName(`${OWN_TABLE_PREFIX}nn_${column}`),
  trigger: fitName(`${OWN_TABLE_PREFIX}nncopy_${table}_${column}`),
  job: `not-null:${table}.${column}`,
  index: (name: string) => fitName(`${OWN_TABLE_PREFIX}nn_${name}`),
});
