/** Prefix of dbtide's own tables (ledger, journal); introspection and diff ignore them. */
export const OWN_TABLE_PREFIX = '_dbtide_';

/**
 * The prefix of a sync trigger a table copy carried to the copy, where the table's own still held
 * the sync's name (MySQL's trigger names are unique in the schema: dialects/mysql/trigger-names.ts).
 */
export const MOVED_TRIGGER_PREFIX = '_dbtidm_';

/** A name only dbtide gives: what it drops of such objects belongs to no application. */
export const isOwnObjectName = (name: string) => name.startsWith(OWN_TABLE_PREFIX) || name.startsWith(MOVED_TRIGGER_PREFIX);

/** Archived rows go to `shadow_<table>`, marked by a comment so introspection leaves them out. */
export const SHADOW = {
  prefix: 'shadow_',
  marker: 'dbtide:shadow-of:',
  archivedAt: 'dbtide_archived_at',
  reason: 'dbtide_reason',
} as const;
