/**
 * An object the live database has that dbtide does not model (a view, a sequence, a trigger that
 * is not dbtide's, a partition, an exclusion constraint, a comment, ...). It is never dropped and
 * never silently lost: plan and status report it as drift, and pull writes it into the release
 * file as a line "unsupported, kept as is".
 */
export interface UnsupportedObject {
  /** The server's word for the kind: `view`, `materialized view`, `sequence`, `enum type`, `domain`, `function`, `trigger`, `partition`, `exclusion constraint`, `comment`, ... */
  kind: string;
  /** Its name as the server shows it (schema-qualified only when outside the introspected schema). */
  name: string;
  /** The table it belongs to, or null for an object of the schema. */
  table: string | null;
  /** What dbtide would lose if it rebuilt the database from the declaration, in a few words. */
  detail: string;
}

/** How reports name it: `view active_customers`, `trigger last_updated on actor`. */
export const unsupportedObjectName = (u: UnsupportedObject): string => `${u.kind} ${u.name}${u.table === null ? '' : ` on ${u.table}`}`;

/** How plan's drift and a pulled file's comment lines say it: tests and tools may look for it. */
export const KEPT_AS_IS = 'unsupported, kept as is';
