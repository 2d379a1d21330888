import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { schemaWideNameClashes } from '../../src/plan/name-scopes.js';

const SERVERS = {
  postgres: { caps: postgresCapabilities('15.4'), noun: 'schema' },
  mariadb: { caps: mysqlCapabilities('10.11.6-MariaDB'), noun: 'database' },
  mysql: { caps: mysqlCapabilities('8.0.36'), noun: 'database' },
};
type Server = keyof typeof SERVERS;

/** Tables `a` and `b` (plus `p`, which both may reference), each given the same named object. */
function clashes(server: Server, object: TableInput): string[] {
  const table = (name: string): TableInput => ({ columns: { id: 'int', x: 'int' }, primaryKey: { name: `${name}_pk`, columns: ['id'] }, ...object });
  const declared = normalizeSchema(
    defineSchema({ release: 'r', tables: { p: { columns: { id: 'int' }, primaryKey: ['id'] }, a: table('a'), b: table('b') } }),
  );
  const { caps, noun } = SERVERS[server];
  return schemaWideNameClashes(declared.model.tables, caps, noun);
}

const OBJECTS: Record<string, TableInput> = {
  index: { indexes: [{ name: 'shared', columns: ['x'] }] },
  'unique index': { indexes: [{ name: 'shared', columns: ['x'], unique: true }] },
  unique: { uniques: [{ name: 'shared', columns: ['x'] }] },
  'primary key': { primaryKey: { name: 'shared', columns: ['id'] } },
  'foreign key': { foreignKeys: [{ name: 'shared', columns: ['x'], references: { table: 'p', columns: ['id'] } }] },
  check: { checks: [{ name: 'shared', expression: 'x > 0' }] },
};

/** Which servers refuse two tables each having the object under the same name. */
const REFUSED: Record<string, Server[]> = {
  index: ['postgres'],
  'unique index': ['postgres'],
  unique: ['postgres'],
  'primary key': ['postgres'],
  'foreign key': ['mariadb', 'mysql'],
  check: ['mysql'],
};

describe('names two tables share, as each server scopes them', () => {
  for (const [what, object] of Object.entries(OBJECTS)) {
    for (const server of Object.keys(SERVERS) as Server[]) {
      const refused = REFUSED[what]!.includes(server);
      it(`${what} on ${server}: ${refused ? 'refused' : 'accepted'}`, () => {
        expect(clashes(server, object)).toHaveLength(refused ? 1 : 0);
      });
    }
  }

  it('names both declaration paths, the server, its namespace and the fix', () => {
    expect(clashes('postgres', OBJECTS.unique!)).toEqual([
      'tables.b.uniques.shared: name "shared" is already used by tables.a.uniques.shared; PostgreSQL 15.4 keeps primary key, unique, index and exclusion names in one namespace per schema, so give one of them another name',
    ]);
    expect(clashes('mysql', OBJECTS.check!)).toEqual([
      'tables.b.checks.shared: name "shared" is already used by tables.a.checks.shared; MySQL 8.0.36 keeps CHECK names in one namespace per database, so give one of them another name',
    ]);
  });

  it("on PostgreSQL a key's name and another table's index name clash (both are index names)", () => {
    expect(clashes('postgres', { uniques: [{ name: 'a_x_key', columns: ['x'] }] }).length).toBe(1);
    const declared = normalizeSchema(
      defineSchema({
        release: 'r',
        tables: { a: { columns: { x: 'int' }, primaryKey: ['x'] }, b: { columns: { x: 'int' }, indexes: [{ name: 'a_pkey', columns: ['x'] }] } },
      }),
    );
    expect(schemaWideNameClashes(declared.model.tables, SERVERS.postgres.caps, 'schema')).toEqual([
      expect.stringMatching(/^tables\.b\.indexes\.a_pkey: name "a_pkey" is already used by tables\.a\.primaryKey; /),
    ]);
    expect(schemaWideNameClashes(declared.model.tables, SERVERS.mariadb.caps, 'database')).toEqual([]);
  });

  it('kinds in different namespaces may share a name across tables', () => {
    const declared = normalizeSchema(
      defineSchema({
        release: 'r',
        tables: {
          p: { columns: { id: 'int' }, primaryKey: ['id'] },
          a: { columns: { x: 'int' }, checks: [{ name: 'n', expression: 'x > 0' }] },
          b: { columns: { x: 'int' }, foreignKeys: [{ name: 'n', columns: ['x'], references: { table: 'p', columns: ['id'] } }], indexes: [{ name: 'm', columns: ['x'] }] },
          c: { columns: { x: 'int' }, checks: [{ name: 'm', expression: 'x > 0' }] },
        },
      }),
    );
    for (const { caps, noun } of Object.values(SERVERS)) expect(schemaWideNameClashes(declared.model.tables, caps, noun)).toEqual([]);
  });
});
