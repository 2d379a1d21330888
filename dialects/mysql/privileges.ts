import type { Connection, IntrospectOptions } from '../../src/dialect.js';
import { parseVersion } from './capabilities.js';
import { literal, quote } from './compiler.js';
import type { MissingPrivilege, PrivilegeAction, PrivilegeNeed, PrivilegeReport } from '../../src/model/privileges.js';

/** One line of SHOW GRANTS at global (`*`), database or table level; routine and proxy grants are left out. */
export interface Grant {
  revoke: boolean;
  /** Upper case; `ALL` for ALL PRIVILEGES. Column privileges (`SELECT (a)`) are left out: they cover no whole table. */
  privileges: string[];
  database: string;
  table: string;
}

/**
 * What MySQL and MariaDB check for each action. ALTER TABLE needs only ALTER, also for the indexes
 * and keys dbtide adds through it; RENAME TABLE needs ALTER and DROP on the old name and CREATE and
 * INSERT on the new one, and the alias view reads the table; CREATE OR REPLACE VIEW needs DROP too.
 */
const RULES: Record<PrivilegeAction, { schema: boolean; privileges: string[]; ownDatabase?: true }> = {
  'create-table': { schema: true, privileges: ['CREATE'] },
  // On the version database itself (SELECT reads its marker); its views use the base's tables as their definer.
  'version-schema': { schema: true, privileges: ['CREATE', 'CREATE VIEW', 'DROP', 'SELECT'], ownDatabase: true },
  'create-view': { schema: true, privileges: ['CREATE VIEW', 'DROP'] },
  alter: { schema: false, privileges: ['ALTER'] },
  drop: { schema: false, privileges: ['DROP'] },
  rename: { schema: false, privileges: ['ALTER', 'DROP', 'CREATE', 'INSERT', 'SELECT'] },
  reference: { schema: false, privileges: ['REFERENCES'] },
  'create-trigger': { schema: false, privileges: ['TRIGGER'] },
  'drop-trigger': { schema: false, privileges: ['TRIGGER'] },
  'update-rows': { schema: false, privileges: ['SELECT', 'UPDATE'] },
  'write-rows': { schema: false, privileges: ['SELECT', 'INSERT', 'UPDATE'] },
  // As OPTIMIZE TABLE, the server's rebuild, would take it; no MySQL plan reorganizes a table.
  reorganize: { schema: false, privileges: ['SELECT', 'INSERT'] },
};

/**
 * Reads the session's grants with SHOW GRANTS rather than information_schema: MariaDB's
 * *_PRIVILEGES views leave out what the current role grants, and MySQL 8's leave out roles
 * altogether, while SHOW GRANTS (MySQL 8: `USING` the active roles) lists both. Limits: a role
 * granted to a role is followed only as far as the server expands it; a database-level grant with
 * `%` or `_` is matched as a pattern, as the servers do unless MySQL's partial_revokes makes them
 * literal. The binary-log rule for triggers is not a grant: the trigger probe tests it afterwards.
 */
export async function mysqlPrivileges(conn: Connection, needs: PrivilegeNeed[], options: IntrospectOptions = {}): Promise<PrivilegeReport> {
  const [session] = await conn.query<{ account: string; version: string; database: string | null; lctn: number | string }>(
    'SELECT CURRENT_USER() AS account, VERSION() AS version, DATABASE() AS `database`, @@lower_case_table_names AS lctn',
  );
  const { account, version } = session!;
  const database = options.schema ?? session!.database ?? '';
  const role = accountName(account);
  const schema = `database ${quote(database)}`;
  const grants = parseGrants(await showGrants(conn, parseVersion(version).flavour === 'mysql'));
  const caseless = Number(session!.lctn) !== 0;
  // MariaDB does not check REFERENCES (its manual lists the privilege as unused): asking for it would refuse for nothing.
  const checked = parseVersion(version).flavour === 'mariadb' ? needs.filter((n) => n.action !== 'reference') : needs;

  const missing: MissingPrivilege[] = [];
  const lacking = new Map<string, Set<string>>();
  for (const need of checked) {
    const rule = RULES[need.action];
    const on = rule.ownDatabase ? need.object! : database;
    const table = rule.schema ? null : need.object;
    const absent = rule.privileges.filter((p) => !holds(grants, p, on, table, caseless));
    if (absent.length === 0) continue;
    for (const p of absent) lacking.set(on, (lacking.get(on) ?? new Set()).add(p));
    missing.push({ need, lacks: `${absent.join(', ')} on ${table === null ? `database ${quote(on)}` : `${quote(on)}.${quote(table)}`}` });
  }
  const order = Object.values(RULES).flatMap((r) => r.privileges);
  // Granted on the database, so the tables this phase creates are covered as well.
  const fixes = [...lacking].map(([on, privileges]) =>
    `GRANT ${[...privileges].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(', ')} ON ${quote(on)}.* TO ${role}`);
  return { role, schema, missing, fixes };
}

/** `app@%` as GRANT spells it: `'app'@'%'` (the host follows the last `@`). */
function accountName(account: string): string {
  const at = account.lastIndexOf('@');
  return at === -1 ? literal(account) : `${literal(account.slice(0, at))}@${literal(account.slice(at + 1))}`;
}

async function showGrants(conn: Connection, mysql: boolean): Promise<string[]> {
  let statement = 'SHOW GRANTS';
  if (mysql) {
    const [active] = await conn.query<{ roles: string }>('SELECT CURRENT_ROLE() AS roles');
    if (active && active.roles !== 'NONE') statement = `SHOW GRANTS FOR CURRENT_USER() USING ${active.roles}`;
  }
  const rows = await conn.query<Record<string, string>>(statement);
  return rows.map((row) => String(Object.values(row)[0]));
}

/** Replaces what is inside quotes, backquotes and parentheses by `x`, so keywords and commas are found only at the top level. */
function mask(text: string): string {
  let out = '';
  let quoteChar: string | null = null;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoteChar !== null) {
      // A doubled quote, or a backslash escape in a string, stays inside.
      const pair = (c === quoteChar && text[i + 1] === quoteChar) || (c === '\\' && quoteChar === "'" && i + 1 < text.length);
      if (pair) {
        out += 'xx';
        i++;
      } else if (c === quoteChar) {
        quoteChar = null;
        out += c;
      } else out += 'x';
    } else if (c === '`' || c === "'") {
      quoteChar = c;
      out += c;
    } else {
      if (c === ')') depth--;
      out += depth > 0 ? 'x' : c;
      if (c === '(') depth++;
    }
  }
  return out;
}

/** One identifier at the start of `text` (backquoted or bare, `*` included): its name and the rest. */
function identifier(text: string): [string, string] | null {
  const quoted = /^`((?:[^`]|``)*)`/.exec(text);
  if (quoted) return [quoted[1]!.replace(/``/g, '`'), text.slice(quoted[0].length)];
  const bare = /^(\*|[A-Za-z0-9_$]+)/.exec(text);
  return bare ? [bare[1]!, text.slice(bare[0].length)] : null;
}

/** `db.table`, `db.*` or `*.*`; null for routines (`PROCEDURE db.p`) and anything else. */
function target(text: string): { database: string; table: string } | null {
  const first = identifier(text.trim());
  if (!first || !first[1].startsWith('.')) return null;
  const second = identifier(first[1].slice(1));
  return second && second[1].trim() === '' ? { database: first[0], table: second[0] } : null;
}

/** The grants of SHOW GRANTS lines: `GRANT privs ON target TO ...` and MySQL's partial `REVOKE privs ON db.* FROM ...`. */
export function parseGrants(lines: string[]): Grant[] {
  return lines.flatMap((line): Grant[] => {
    const masked = mask(line);
    const shape = /^(GRANT|REVOKE) (.+?) ON (.+?) (TO|FROM) /.exec(masked);
    if (!shape) return [];
    const privilegesAt = shape[1]!.length + 1;
    const targetAt = privilegesAt + shape[2]!.length + ' ON '.length;
    const on = target(line.slice(targetAt, targetAt + shape[3]!.length));
    if (!on) return [];
    const privileges: string[] = [];
    let start = 0;
    const list = shape[2]!;
    for (let i = 0; i <= list.length; i++) {
      if (i < list.length && list[i] !== ',') continue;
      const item = line.slice(privilegesAt + start, privilegesAt + i).trim();
      start = i + 1;
      if (item.includes('(')) continue;
      const name = item.toUpperCase().replace(/\s+/g, ' ');
      privileges.push(name === 'ALL PRIVILEGES' ? 'ALL' : name);
    }
    return [{ revoke: shape[1] === 'REVOKE', privileges, ...on }];
  });
}

/** A database-level grant's name as a pattern: `%` and `_` are wildcards unless escaped with a backslash. */
function databasePattern(name: string, caseless: boolean): RegExp {
  const source = name.replace(/\\(.)|([%_])|([^\\%_]+)/g, (_m, escaped: string, wild: string, plain: string) =>
    escaped !== undefined ? escapeRegExp(escaped) : wild !== undefined ? (wild === '%' ? '.*' : '.') : escapeRegExp(plain),
  );
  return new RegExp(`^${source}$`, caseless ? 'is' : 's');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether the grants give `privilege` on the database (table null: at database level, what
 * creating objects needs) or on one of its tables; a global grant counts unless partially revoked.
 */
export function holds(grants: Grant[], privilege: string, database: string, table: string | null, caseless = false): boolean {
  const has = (g: Grant) => g.privileges.includes(privilege) || g.privileges.includes('ALL');
  const same = (a: string, b: string) => (caseless ? a.toLowerCase() === b.toLowerCase() : a === b);
  const revoked = grants.some((g) => g.revoke && has(g) && g.table === '*' && same(g.database, database));
  return grants.some((g) => {
    if (g.revoke || !has(g)) return false;
    if (g.database === '*') return !revoked;
    if (g.table === '*') return databasePattern(g.database, caseless).test(database);
    return table !== null && same(g.database, database) && same(g.table, table);
  });
}
