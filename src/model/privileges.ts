/**
 * What a step does to an object, in words each dialect maps to its own rules: PostgreSQL to
 * ownership and GRANTs, MySQL to ALTER, DROP, TRIGGER..., Db2 to ALTER or CONTROL, REFERENCES and
 * CREATEIN. A dialect decides, for instance, that a trigger also needs a function in the schema.
 */
export type PrivilegeAction =
  /** In the schema (MySQL: the database): new tables, the ledger's own. */
  | 'create-table'
  /** In the schema: the view that keeps a renamed table's old name usable. */
  | 'create-view'
  /** A schema (MySQL: a database) of its own, named by the object: a release's version schema, its views, their drop. */
  | 'version-schema'
  /** The table's definition: columns, defaults, indexes, constraints, names of its parts. */
  | 'alter'
  | 'drop'
  /** The table itself gets a new name. */
  | 'rename'
  /** A foreign key of another table points at it. */
  | 'reference'
  | 'create-trigger'
  | 'drop-trigger'
  /** Rows read and rewritten in batches (a backfill). */
  | 'update-rows'
  /** Rows read, inserted and updated (the ledger's tables). */
  | 'write-rows'
  /** The table rebuilt by the server's reorganization utility (Db2's REORG TABLE: CONTROL, or DBADM). */
  | 'reorganize';

export interface PrivilegeNeed {
  action: PrivilegeAction;
  /** The table or view acted on; null for the schema itself. */
  object: string | null;
  /** What needs it, for messages: step descriptions. */
  steps: string[];
}

export interface MissingPrivilege {
  need: PrivilegeNeed;
  /** What the session lacks, in the server's words, e.g. `ownership of table "users" (owner: postgres)`. */
  lacks: string;
}

/** A dialect's answer: what is missing, and the statements an owner or administrator runs to grant it. */
export interface PrivilegeReport {
  /** The session's role or account, as the server names it. */
  role: string;
  /** Where new objects go, for messages: `schema "public"`, `database \`app\``. */
  schema: string;
  missing: MissingPrivilege[];
  fixes: string[];
}
