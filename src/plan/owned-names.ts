import { fitName } from '../declaration/names.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';

/**
 * Objects dbtide creates for its own use carry its prefix (kept when a long name is shortened),
 * so the diff recognizes them as dbtide's, never as drift.
 */
export const isOwnedName = (name: string) => name.startsWith(OWN_TABLE_PREFIX);

/** The CHECK (c IS NOT NULL) that lets SET NOT NULL skip its scan. */
export const notNullCheckName = (table: string, column: string) => fitName(`${OWN_TABLE_PREFIX}nn_${table}_${column}`);
