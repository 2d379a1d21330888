import type { Connection, IntrospectOptions } from '../../src/dialect.js';
import { quote } from './compiler.js';
import type { MissingPrivilege, PrivilegeAction, PrivilegeNeed, PrivilegeReport } from '../../src/model/privileges.js';

interface Session {
  role: string;
  superuser: boolean;
  schema: string | null;
  may_create: boolean | null;
  database: string;
  may_create_schema: boolean;
}

interface Relation {
  name: string;
  kind: string;
  owner: string;
  owns: boolean;
  references: boolean;
  trigger: boolean;
  select: boolean;
  insert: boolean;
  update: boolean;
}

type TablePrivilege = 'references' | 'trigger' | 'select' | 'insert' | 'update';

/**
 * What PostgreSQL asks of each action: ALTER, DROP (also of triggers) and renames only the owner
 * may do, and membership in the owning role counts; CREATE TRIGGER needs the TRIGGER privilege,
 * and the trigger's function needs CREATE on the schema.
 */
const RULES: Record<PrivilegeAction, { owner?: true; schemaCreate?: true; databaseCreate?: true; grants?: TablePrivilege[] }> = {
  'create-table': { schemaCreate: true },
  // A schema dbtide created is its own, views and drop included; creating one takes CREATE on the database.
  'version-schema': { databaseCreate: true },
  'create-view': { schemaCreate: true },
  alter: { owner: true },
  drop: { owner: true },
  rename: { owner: true },
  'drop-trigger': { owner: true },
  reference: { grants: ['references'] },
  'create-trigger': { grants: ['trigger'], schemaCreate: true },
  'update-rows': { grants: ['select', 'update'] },
  'write-rows': { grants: ['select', 'insert', 'update'] },
  // As VACUUM FULL, PostgreSQL's rebuild, would take it; no PostgreSQL plan reorganizes a table.
  reorganize: { owner: true },
};

/**
 * Reads the catalog, changes nothing. A superuser may do everything (PGlite always runs as one).
 * Relations that do not exist yet are the ones this phase creates: their creator owns them.
 */
export async function postgresPrivileges(conn: Connection, needs: PrivilegeNeed[], options: IntrospectOptions = {}): Promise<PrivilegeReport> {
  const [session] = await conn.query<Session>(
    `SELECT current_user AS role, r.rolsuper AS superuser, s.name AS schema,
            CASE WHEN s.name IS NULL THEN NULL ELSE has_schema_privilege(s.name, 'CREATE') END AS may_create,
            current_database() AS database, has_database_privilege(current_database(), 'CREATE') AS may_create_schema
       FROM pg_roles r, (SELECT coalesce($1::text, current_schema()) AS name) s
      WHERE r.rolname = current_user`,
    [options.schema ?? null],
  );
  const { role, superuser, schema, may_create: mayCreate, database, may_create_schema: mayCreateSchema } = session!;
  const schemaLabel = `schema ${schema === null ? '(none on the search path)' : quote(schema)}`;
  if (superuser) return { role, schema: schemaLabel, missing: [], fixes: [] };

  const names = [...new Set(needs.flatMap((n) => (n.object === null ? [] : [n.object])))];
  const relations = new Map((await relationsOf(conn, schema, names)).map((r) => [r.name, r]));
  const qualified = (name: string) => `${schema === null ? '' : `${quote(schema)}.`}${quote(name)}`;
  const missing: MissingPrivilege[] = [];
  const owners = new Set<string>();
  const grants = new Map<string, Set<TablePrivilege>>();
  const schemaGrant = schema === null ? 'SET search_path TO a schema the role may create in' : `GRANT CREATE ON SCHEMA ${quote(schema)} TO ${quote(role)}`;
  let needsSchema = false;
  let needsDatabase = false;

  for (const need of needs) {
    const rule = RULES[need.action];
    if (rule.schemaCreate && mayCreate !== true) {
      needsSchema = true;
      const why = need.action === 'create-trigger' ? ` (for the trigger's function, on ${need.object})` : '';
      missing.push({ need, lacks: `CREATE on ${schemaLabel}${why}` });
    }
    if (rule.databaseCreate && !mayCreateSchema) {
      needsDatabase = true;
      missing.push({ need, lacks: `CREATE on database ${quote(database)} (for the schema ${need.object})` });
    }
    if (rule.databaseCreate) continue;
    const relation = need.object === null ? undefined : relations.get(need.object);
    if (!relation) continue;
    const noun = relation.kind === 'v' ? 'view' : 'table';
    if (rule.owner && !relation.owns) {
      owners.add(relation.name);
      missing.push({ need, lacks: `ownership of ${noun} ${quote(relation.name)} (owner: ${relation.owner})` });
    }
    const lacking = (rule.grants ?? []).filter((g) => !relation[g]);
    if (lacking.length > 0) {
      for (const g of lacking) grants.set(relation.name, (grants.get(relation.name) ?? new Set()).add(g));
      missing.push({ need, lacks: `${lacking.map((g) => g.toUpperCase()).join(', ')} on ${noun} ${quote(relation.name)}` });
    }
  }

  const fixes = [
    ...(needsSchema ? [schemaGrant] : []),
    ...(needsDatabase ? [`GRANT CREATE ON DATABASE ${quote(database)} TO ${quote(role)}`] : []),
    ...[...owners].map((name) => `ALTER ${relations.get(name)!.kind === 'v' ? 'VIEW' : 'TABLE'} ${qualified(name)} OWNER TO ${quote(role)}`),
    // The owner holds every privilege on its table: a grant is only needed where ownership is not.
    ...[...grants].filter(([name]) => !owners.has(name)).map(([name, g]) => `GRANT ${[...g].map((p) => p.toUpperCase()).join(', ')} ON ${qualified(name)} TO ${quote(role)}`),
  ];
  return { role, schema: schemaLabel, missing, fixes };
}

async function relationsOf(conn: Connection, schema: string | null, names: string[]): Promise<Relation[]> {
  if (schema === null || names.length === 0) return [];
  return conn.query<Relation>(
    `SELECT c.relname AS name, c.relkind::text AS kind, pg_get_userbyid(c.relowner) AS owner,
            pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
            has_table_privilege(c.oid, 'REFERENCES') AS "references",
            has_table_privilege(c.oid, 'TRIGGER') AS "trigger",
            has_table_privilege(c.oid, 'SELECT') AS "select",
            has_table_privilege(c.oid, 'INSERT') AS "insert",
            has_table_privilege(c.oid, 'UPDATE') AS "update"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`,
    [schema, names],
  );
}
