import { updateTriggerName as syncUpdateTriggerName } from '../../src/dialect-kit/sync-rules.js';
import { MOVED_TRIGGER_PREFIX, OWN_TABLE_PREFIX } from '../../src/model/own-objects.js';

/** MySQL's identifier limit. */
export const MAX_NAME = 64;

/** A trigger fires on one event, so a sync is two (src/dialect-kit/sync-rules.ts updateTriggerName). */
export const updateTriggerName = (trigger: string) => syncUpdateTriggerName(trigger, MAX_NAME);

/**
 * The sync triggers a table copy carries are created on the copy before the rename that swaps it
 * in (a rename takes a table's triggers along), while the table's own still hold the sync's names,
 * unique in the schema: so under these, as long as the sync's own (never shortened), which
 * introspection reads back as the sync's.
 */

export const movedTriggerName = (name: string) => `${MOVED_TRIGGER_PREFIX}${name.startsWith(OWN_TABLE_PREFIX) ? name.slice(OWN_TABLE_PREFIX.length) : name}`;

/** The sync's own name for a trigger under either name; other names as they are. */
export const syncTriggerName = (name: string) => (name.startsWith(MOVED_TRIGGER_PREFIX) ? `${OWN_TABLE_PREFIX}${name.slice(MOVED_TRIGGER_PREFIX.length)}` : name);
