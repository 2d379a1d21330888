/**
 * The Db2 introspector (and the privilege check, which reads the catalog too) against recorded
 * SYSCAT rows (test/unit/db2/catalog-compute.ts): a Connection answers each catalog query, told
 * apart by the view it reads, and fails on any other.
 */
import { describe, expect, it } from 'vitest';
import { estimateRowsDb2, introspectDb2, reorgStateDb2 } from '../../dialects/db2/introspector.js';
import { db2Privileges } from '../../dialects/db2/privileges.js';
import type { Connection } from '../../src/dialect.js';
import type { PrivilegeNeed } from '../../src/model/privileges.js';
import type { SchemaModel } from '../../src/model/schema-model.js';
import { column as col, index } from '../support/model-builders.js';
import * as catalog from './db2/catalog-compute.js';

/** Checked in this order: the first substring a query holds picks its rows. */
const ANSWERS: [string, unknown[]][] = [
  ['"card"', catalog.cardinalities],
  ['SYSPROC.ADMIN_GET_TAB_INFO', catalog.reorgInfo],
  ['SYSCAT.KEYCOLUSE', catalog.keyColumns],
  ['SYSCAT.REFERENCES', catalog.references],
  ['SYSCAT.CHECKS', catalog.checks],
  ['SYSCAT.INDEXCOLUSE', catalog.indexes],
  ['SYSCAT.TRIGGERS', catalog.triggers],
  ['SYSCAT.VIEWS', catalog.views],
  ['SYSCAT.COLUMNS', catalog.columns],
  ['SYSCAT.SEQUENCES', catalog.sequences],
  ['SYSCAT.ROUTINES', catalog.routines],
  ['SYSCAT.TABLES', catalog.relations],
  ['CURRENT SCHEMA', [{ name: 'NOVA' }]],
];

function recordedCatalog(): Connection & { asked: { sql: string; params: unknown[] }[] } {
  const asked: { sql: string; params: unknown[] }[] = [];
  return {
    asked,
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      asked.push({ sql, params });
      const answer = ANSWERS.find(([marker]) => sql.includes(marker));
      if (!answer) throw new Error(`the recorded catalog has no answer to: ${sql}`);
      if (answer[0] !== 'CURRENT SCHEMA' && params[0] !== 'NOVA') throw new Error(`asked about schema ${String(params[0])}, not NOVA: ${sql}`);
      return answer[1] as T[];
    },
    transaction: () => Promise.reject(new Error('introspection needs no transaction')),
    close: async () => {},
  };
}

const varchar = (length: number) => ({ kind: 'varchar', length }) as const;
const timestamp = { kind: 'timestamp', withTimeZone: false } as const;
const literal = (value: string | number | boolean) => ({ kind: 'literal', value }) as const;

const EXPECTED: SchemaModel = {
  tables: {
    InstanceFaultsArchive: {
      name: 'InstanceFaultsArchive',
      columns: [
        col('Id', { kind: 'int' }, { nullable: false }),
        col('code', { kind: 'int' }, { nullable: false }),
        col('recorded_at', { kind: 'native', sql: 'TIMESTAMP(0)' }),
        col('details', { kind: 'double' }),
      ],
      primaryKey: { name: 'InstanceFaultsArchive_pkey', columns: ['Id', 'code'] },
      uniques: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
    },
    block_device_mapping: {
      name: 'block_device_mapping',
      columns: [
        col('id', { kind: 'int' }, { nullable: false, identity: 'by-default' }),
        col('instance_uuid', varchar(36)),
        col('device_name', varchar(255)),
        col('delete_on_termination', { kind: 'boolean' }),
        col('connection_info', { kind: 'text' }),
        col('image_metadata', { kind: 'native', sql: 'CLOB(2M)' }),
        col('volume_size', { kind: 'numeric', precision: 10, scale: 2 }, { default: literal(0) }),
      ],
      primaryKey: { name: 'block_device_mapping_pkey', columns: ['id'] },
      uniques: [],
      indexes: [index('block_device_mapping_instance_uuid_idx', ['instance_uuid'])],
      foreignKeys: [
        {
          name: 'block_device_mapping_instance_uuid_fkey',
          columns: ['instance_uuid'],
          referencedTable: 'instances',
          referencedColumns: ['uuid'],
          onDelete: 'cascade',
          onUpdate: 'no action',
          validated: true,
        },
      ],
      checks: [],
    },
    fixed_ips: {
      name: 'fixed_ips',
      columns: [
        col('id', { kind: 'bigint' }, { nullable: false, identity: 'always' }),
        col('address', varchar(39), { nullable: false }),
        col('instance_uuid', varchar(36)),
        col('allocated', { kind: 'boolean' }, { default: literal(false) }),
        col('leased', { kind: 'boolean' }, { default: literal(false) }),
        col('mac', { kind: 'native', sql: 'CHAR(6) FOR BIT DATA' }),
      ],
      primaryKey: { name: 'fixed_ips_pkey', columns: ['id'] },
      uniques: [],
      indexes: [index('fixed_ips_address_key', ['address'], { unique: true })],
      foreignKeys: [],
      checks: [{ name: 'fixed_ips_address_not_empty', expression: "address <> ''", validated: true }],
    },
    instances: {
      name: 'instances',
      comment: 'one row per server',
      columns: [
        col('id', { kind: 'int' }, { nullable: false, identity: 'by-default' }),
        col('uuid', varchar(36), { nullable: false }),
        col('host', varchar(255), { comment: 'compute host' }),
        col('vm_state', varchar(255), { default: literal('new') }),
        col('task_state', varchar(255), { default: literal("it's scheduled") }),
        col('memory_mb', { kind: 'int' }),
        col('launched_at', timestamp),
        col('created_at', timestamp, { default: { kind: 'sql', expression: 'CURRENT_TIMESTAMP' } }),
        col('deleted', { kind: 'int' }, { nullable: false, default: literal(0) }),
        col('locked', { kind: 'boolean' }, { default: literal(false) }),
        col('cleaned', { kind: 'int' }),
      ],
      primaryKey: { name: 'instances_pkey', columns: ['id'] },
      uniques: [{ name: 'uniq_instances0uuid', columns: ['uuid'] }],
      indexes: [index('instances_deleted_created_at_idx', ['deleted', 'created_at DESC']), index('instances_host_idx', ['host'], { include: ['vm_state'] })],
      foreignKeys: [],
      checks: [{ name: 'instances_memory_mb_positive', expression: 'memory_mb > 0', validated: false }],
    },
  },
  owned: {
    triggers: [{ table: 'instances', name: '_dbtide_sync_instances_hostname' }],
    aliases: [{ name: 'floating_ips', table: 'fixed_ips' }],
    finishedJobs: [],
  },
  unsupported: [
    { kind: 'foreign key', name: 'fixed_ips_network_fkey', table: 'fixed_ips', detail: 'references NEUTRON.NETWORKS, in another schema' },
    { kind: 'materialized query table', name: 'instance_counts', table: null, detail: 'SYSCAT.TABLES type S' },
    { kind: 'procedure', name: 'purge_deleted', table: null, detail: 'LANGUAGE SQL' },
    { kind: 'sequence', name: 'order_numbers', table: null, detail: 'START WITH 1 INCREMENT BY 1' },
    { kind: 'set integrity pending', name: 'InstanceFaultsArchive', table: null, detail: 'SET INTEGRITY must check the table before it can be used' },
    { kind: 'trigger', name: 'instances_audit', table: 'instances', detail: 'AFTER UPDATE: INSERT INTO audit VALUES (1)' },
    { kind: 'view', name: 'active_instances', table: null, detail: 'SELECT * FROM instances WHERE deleted = 0' },
  ],
};

describe('introspecting a Db2 schema', () => {
  it('reads the recorded catalog into the model, every name as declared', async () => {
    expect(await introspectDb2(recordedCatalog())).toEqual(EXPECTED);
  });

  it('reads the session schema unless told, and a named schema by its stored name', async () => {
    const current = recordedCatalog();
    await introspectDb2(current);
    expect(current.asked[0]!.sql).toContain('CURRENT SCHEMA');
    const named = recordedCatalog();
    expect(await introspectDb2(named, { schema: 'nova' })).toEqual(EXPECTED);
    expect(named.asked.some((q) => q.sql.includes('CURRENT SCHEMA'))).toBe(false);
  });

  it('aliases every catalog column in lower case, so rows are read by the names the code uses', async () => {
    const conn = recordedCatalog();
    await introspectDb2(conn);
    for (const { sql } of conn.asked) expect(sql).toMatch(/ AS "[a-z_]+"/);
  });
});

describe('statistics', () => {
  it('estimates rows from CARD, counting a table without statistics (-1) or not found as 0', async () => {
    const conn = recordedCatalog();
    expect(await estimateRowsDb2(conn, ['instances', 'fixed_ips', 'block_device_mapping'])).toEqual({ instances: 120000, fixed_ips: 0, block_device_mapping: 0 });
    expect(conn.asked.at(-1)!.params).toEqual(['NOVA', 'INSTANCES', 'FIXED_IPS', 'BLOCK_DEVICE_MAPPING']);
  });

  it("reads each table's reorganization state, the most any partition counts, none for a table not found", async () => {
    const conn = recordedCatalog();
    expect(await reorgStateDb2(conn, ['instances', 'block_device_mapping', 'fixed_ips'], { schema: 'nova' })).toEqual({
      instances: { alters: 2, pending: false },
      block_device_mapping: { alters: 1, pending: true },
      fixed_ips: { alters: 0, pending: false },
    });
    expect(conn.asked.at(-1)!.params).toEqual(['NOVA', 'INSTANCES', 'BLOCK_DEVICE_MAPPING', 'FIXED_IPS']);
  });

  it('asks nothing for no tables', async () => {
    const conn = recordedCatalog();
    expect(await estimateRowsDb2(conn, [])).toEqual({});
    expect(await reorgStateDb2(conn, [])).toEqual({});
    expect(conn.asked).toEqual([]);
  });
});

describe('privileges', () => {
  const need = (action: PrivilegeNeed['action'], object: string | null): PrivilegeNeed => ({ action, object, steps: [`${action} ${object ?? ''}`] });

  /** The session is APP in schema NOVA, owned by DBA; APP owns fixed_ips and the version schema nova_v2. */
  function grants(dbadm: boolean): Connection {
    const answers: [string, unknown[]][] = [
      ['SESSION_USER AS "user"', [{ user: 'APP', schema: 'NOVA' }]],
      ['SYSCAT.DBAUTH', dbadm ? [{ dbadm: 'Y' }] : [{ dbadm: 'N' }]],
      ['SYSCAT.SCHEMAAUTH', [{ CREATEIN: 'Y', ALTERIN: 'N', DROPIN: 'N' }]],
      ['SYSCAT.TABAUTH', [{ name: 'INSTANCES', CONTROL: 'N', ALTER: 'Y', REFERENCES: 'N', SELECT: 'Y', INSERT: 'G', UPDATE: 'Y' }]],
      ['SYSCAT.SCHEMATA', [{ name: 'NOVA', owner: 'DBA' }, { name: 'NOVA_V2', owner: 'APP' }]],
      ['SYSCAT.TABLES', [{ name: 'INSTANCES', owner: 'DBA' }, { name: 'FIXED_IPS', owner: 'APP' }]],
    ];
    return {
      async query<T>(sql: string): Promise<T[]> {
        const answer = answers.find(([marker]) => sql.includes(marker));
        if (!answer) throw new Error(`no recorded answer to: ${sql}`);
        return answer[1] as T[];
      },
      transaction: () => Promise.reject(new Error('no transaction')),
      close: async () => {},
    };
  }

  const needs = [
    need('create-table', null),
    need('alter', 'instances'),
    need('reference', 'instances'),
    need('drop', 'instances'),
    need('create-trigger', 'fixed_ips'),
    need('write-rows', '_dbtide_runs'),
    need('version-schema', 'nova_v3'),
    need('version-schema', 'nova_v2'),
    need('reorganize', 'instances'),
    need('reorganize', 'fixed_ips'),
  ];

  it('finds what the session lacks on tables, the schema and new schemas, with the statements that grant it', async () => {
    const report = await db2Privileges(grants(false), needs);
    expect(report.role).toBe('"APP"');
    expect(report.schema).toBe('schema "NOVA"');
    expect(report.missing.map((m) => [m.need.action, m.need.object, m.lacks])).toEqual([
      ['reference', 'instances', 'REFERENCES on "NOVA"."INSTANCES"'],
      ['drop', 'instances', 'CONTROL on "NOVA"."INSTANCES"'],
      ['version-schema', 'nova_v3', 'DBADM, to create schema "NOVA_V3"'],
      ['reorganize', 'instances', 'CONTROL on "NOVA"."INSTANCES"'],
    ]);
    expect(report.fixes).toEqual(['CREATE SCHEMA "NOVA_V3" AUTHORIZATION "APP"', 'GRANT REFERENCES, CONTROL ON TABLE "NOVA"."INSTANCES" TO USER "APP"']);
  });

  it('lets DBADM do everything', async () => {
    expect((await db2Privileges(grants(true), needs)).missing).toEqual([]);
  });
});
