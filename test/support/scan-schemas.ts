/**
 * The releases of the scan tests; also a release file (default export v2) for the CLI.
 */
import { defineSchema, sql } from '../../src/declaration/define-schema.js';

export const SCAN_SCHEMA_FILE = import.meta.filename;

/** What years of loose constraints leave: nothing checked. */
export const v1 = defineSchema({
  release: 'v1',
  tables: {
    zones: { columns: { id: 'int', code: 'varchar(10)' }, primaryKey: ['id'] },
    hosts: { columns: { id: 'int', zone_code: 'varchar(10)', name: 'text', cpus: 'int' }, primaryKey: ['id'] },
    vms: { columns: { id: 'int', host_id: 'int', label: 'text' }, primaryKey: ['id'] },
  },
});

/** Every kind of tightening at once, and a foreign key (vms -> hosts) along which dependents are found. */
export const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    zones: { columns: { code: { type: 'varchar(10)', nullable: false } }, uniques: [{ columns: ['code'] }] },
    hosts: {
      columns: { name: { type: 'text', nullable: false, default: sql("'unnamed'") } },
      foreignKeys: [{ columns: ['zone_code'], references: { table: 'zones', columns: ['code'] } }],
      checks: [{ name: 'hosts_cpus_check', expression: 'cpus > 0' }],
    },
    vms: { foreignKeys: [{ columns: ['host_id'], references: { table: 'hosts', columns: ['id'] } }] },
  },
});

export default v2;
