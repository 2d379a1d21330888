/** Prefix of dbtide's own tables (ledger, journal); introspection and diff ignore them. */
export const OWN_TABLE_PREFIX = '_dbtide_';

/** Archived rows go to `shadow_<table>`, marked by a comment so introspection leaves them out. */
export const SHADOW = {
  prefix: 'shadow_',
  marker: 'dbtide:shadow-of:',
  archivedAt: 'dbtide_archived_at',
  reason: 'dbtide_reason',
} as const;
