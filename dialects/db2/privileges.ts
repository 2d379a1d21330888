import type { Connection, IntrospectOptions } from '../../src/dialect.js';
import type { MissingPrivilege, PrivilegeAction, PrivilegeNeed, PrivilegeReport } from '../../src/model/privileges.js';
import { storedName } from './names.js';
import { quoteStored as ident } from './stored-name.js';

type TablePrivilege = 'CONTROL' | 'ALTER' | 'REFERENCES' | 'SELECT' | 'INSERT' | 'UPDATE';
type SchemaPrivilege = 'CREATEIN' | 'ALTERIN' | 'DROPIN';

/**
 * What Db2 asks of each action (the SQL reference's "Authorization" of each statement): ALTER TABLE
 * takes ALTER on the table or ALTERIN on its schema; DROP and RENAME TABLE take CONTROL (or DROPIN,
 * ALTERIN); CREATE TRIGGER takes ALTER on the table and CREATEIN on the schema; CREATE SCHEMA takes
 * DBADM. The owner of a table holds CONTROL on it, the owner of a schema every schema privilege,
 * and DBADM all of them.
 */
const RULES: Record<PrivilegeAction, { table?: TablePrivilege[]; schema?: SchemaPrivilege[]; coveredBy?: SchemaPrivilege; newSchema?: true }> = {
  'create-table': { schema: ['CREATEIN'] },
  'create-view': { schema: ['CREATEIN'] },
  'version-schema': { newSchema: true },
  alter: { table: ['ALTER'], coveredBy: 'ALTERIN' },
  drop: { table: ['CONTROL'], coveredBy: 'DROPIN' },
  rename: { table: ['CONTROL'], coveredBy: 'ALTERIN' },
  reference: { table: ['REFERENCES'] },
  'create-trigger': { table: ['ALTER'], schema: ['CREATEIN'], coveredBy: 'ALTERIN' },
  // dbtide created the trigger: its owner may drop it.
  'drop-trigger': {},
  'update-rows': { table: ['SELECT', 'UPDATE'] },
  'write-rows': { table: ['SELECT', 'INSERT', 'UPDATE'] },
  // REORG TABLE takes CONTROL (or SQLADM, which is not read here, or DBADM).
  reorganize: { table: ['CONTROL'] },
};

/** The session's user, PUBLIC, and the roles granted to the user (a role granted to a role, or an OS group, is not followed). */
const GRANTEES = `((GRANTEETYPE = 'U' AND GRANTEE = ?) OR (GRANTEETYPE = 'G' AND GRANTEE = 'PUBLIC')
  OR (GRANTEETYPE = 'R' AND GRANTEE IN (SELECT ROLENAME FROM SYSCAT.ROLEAUTH WHERE GRANTEETYPE = 'U' AND GRANTEE = ?)))`;

/** A Y or G (grantable) in any of the rows. */
const granted = (rows: Record<string, string>[], column: string) => rows.some((r) => r[column] === 'Y' || r[column] === 'G');

/**
 * Reads SYSCAT.DBAUTH, SCHEMATA, SCHEMAAUTH, TABLES and TABAUTH; changes nothing. Tables that do
 * not exist yet are the ones this phase creates: their creator owns them.
 */
export async function db2Privileges(conn: Connection, needs: PrivilegeNeed[], options: IntrospectOptions = {}): Promise<PrivilegeReport> {
  const [session] = await conn.query<{ user: string; schema: string }>('SELECT SESSION_USER AS "user", CURRENT SCHEMA AS "schema" FROM SYSIBM.SYSDUMMY1');
  const user = session!.user.trim();
  const schema = options.schema === undefined ? session!.schema.trim() : storedName(options.schema);
  const who = [user, user];
  const dbadm = granted(await conn.query(`SELECT DBADMAUTH AS "dbadm" FROM SYSCAT.DBAUTH WHERE ${GRANTEES}`, who), 'dbadm');
  const schemas = new Map(
    (await conn.query<{ name: string; owner: string }>('SELECT SCHEMANAME AS "name", OWNER AS "owner" FROM SYSCAT.SCHEMATA')).map((s) => [s.name.trim(), s.owner.trim()]),
  );
  const schemaAuth = await conn.query<Record<string, string>>(
    `SELECT CREATEINAUTH AS "CREATEIN", ALTERINAUTH AS "ALTERIN", DROPINAUTH AS "DROPIN" FROM SYSCAT.SCHEMAAUTH WHERE SCHEMANAME = ? AND ${GRANTEES}`,
    [schema, ...who],
  );
  const owners = new Map(
    (await conn.query<{ name: string; owner: string }>('SELECT TABNAME AS "name", OWNER AS "owner" FROM SYSCAT.TABLES WHERE TABSCHEMA = ?', [schema])).map((t) => [t.name, t.owner.trim()]),
  );
  const tableAuth = await conn.query<Record<string, string>>(
    `SELECT TABNAME AS "name", CONTROLAUTH AS "CONTROL", ALTERAUTH AS "ALTER", REFAUTH AS "REFERENCES", SELECTAUTH AS "SELECT",
            INSERTAUTH AS "INSERT", UPDATEAUTH AS "UPDATE"
     FROM SYSCAT.TABAUTH WHERE TABSCHEMA = ? AND ${GRANTEES}`,
    [schema, ...who],
  );
  const holdsOnSchema = (p: SchemaPrivilege) => dbadm || schemas.get(schema) === user || granted(schemaAuth, p);
  const holdsOnTable = (table: string, p: TablePrivilege) => {
    const owner = owners.get(table);
    if (dbadm || owner === undefined || owner === user) return true;
    const rows = tableAuth.filter((r) => r.name === table);
    return granted(rows, 'CONTROL') || granted(rows, p);
  };

  const missing: MissingPrivilege[] = [];
  const lackingOnTables = new Map<string, Set<TablePrivilege>>();
  const lackingOnSchema = new Set<SchemaPrivilege>();
  const schemasToCreate = new Set<string>();
  for (const need of needs) {
    const rule = RULES[need.action];
    const lacks: string[] = [];
    if (rule.newSchema) {
      const name = storedName(need.object!);
      const owner = schemas.get(name);
      if (!dbadm && owner !== user) {
        lacks.push(owner === undefined ? `DBADM, to create schema ${ident(name)}` : `ownership of schema ${ident(name)} (owner: ${owner})`);
        schemasToCreate.add(name);
      }
    }
    for (const p of (rule.schema ?? []).filter((p) => !holdsOnSchema(p))) {
      lacks.push(`${p} on schema ${ident(schema)}`);
      lackingOnSchema.add(p);
    }
    if (need.object !== null && rule.table) {
      const table = storedName(need.object);
      const absent = rule.coveredBy && holdsOnSchema(rule.coveredBy) ? [] : rule.table.filter((p) => !holdsOnTable(table, p));
      if (absent.length > 0) {
        lacks.push(`${absent.join(', ')} on ${ident(schema)}.${ident(table)}`);
        lackingOnTables.set(table, new Set([...(lackingOnTables.get(table) ?? []), ...absent]));
      }
    }
    if (lacks.length > 0) missing.push({ need, lacks: lacks.join('; ') });
  }
  const role = ident(user);
  const fixes = [
    ...[...schemasToCreate].map((name) => `CREATE SCHEMA ${ident(name)} AUTHORIZATION ${role}`),
    ...(lackingOnSchema.size > 0 ? [`GRANT ${[...lackingOnSchema].join(', ')} ON SCHEMA ${ident(schema)} TO USER ${role}`] : []),
    ...[...lackingOnTables].map(([table, privileges]) => `GRANT ${[...privileges].join(', ')} ON TABLE ${ident(schema)}.${ident(table)} TO USER ${role}`),
  ];
  return { role, schema: `schema ${ident(schema)}`, missing, fixes };
}
