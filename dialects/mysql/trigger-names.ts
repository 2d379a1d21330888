import { fitName } from '../../src/declaration/names.js';

/** MySQL's identifier limit. */
export const MAX_NAME = 64;

/**
 * A trigger fires on one event, so a sync is two: this one on UPDATE, and the one named by the
 * sync on INSERT. The INSERT trigger is created last and dropped last, so it exists exactly while
 * the sync is complete: introspection reports a sync by it.
 */
export const updateTriggerName = (trigger: string) => fitName(`${trigger}_update`, MAX_NAME);
