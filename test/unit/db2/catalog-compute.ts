/**
 * Recorded SYSCAT rows of a schema NOVA holding the example chain's instances, fixed_ips and
 * block_device_mapping (migrations/) as Db2 LUW stores them, written from the column values IBM
 * documents for each catalog view: names folded to upper case, LENGTH in bytes (a TIMESTAMP's
 * precision in SCALE), CODEPAGE 0 for non-character types, GENERATED blank for a plain column,
 * Y/N flags, DEFAULT as SQL text. Besides them: a mixed-case table kept as written, dbtide's own
 * tables (ledger, run lock, an archive marked as a shadow), a materialized query table, dbtide's
 * dual-write triggers and alias view, and a user's view, trigger, sequence and procedure.
 * Each export answers one of the introspector's queries, under the aliases it gives its columns.
 */
const UTF8 = 1208;

export const relations = [
  { name: 'INSTANCES', type: 'T', status: 'N', comment: 'one row per server' },
  { name: 'FIXED_IPS', type: 'T', status: 'N', comment: null },
  { name: 'BLOCK_DEVICE_MAPPING', type: 'T', status: 'N', comment: null },
  { name: 'InstanceFaultsArchive', type: 'T', status: 'C', comment: null },
  { name: '_DBTIDE_RUNS', type: 'T', status: 'N', comment: null },
  { name: '_DBTIDE_LOCK', type: 'T', status: 'N', comment: null },
  { name: 'SHADOW_INSTANCES', type: 'T', status: 'N', comment: 'dbtide:shadow-of:instances' },
  { name: 'INSTANCE_COUNTS', type: 'S', status: 'N', comment: null },
];

type Flags = { nulls?: 'Y' | 'N'; default?: string; identity?: 'D' | 'A'; comment?: string; codepage?: number };

function column(table: string, name: string, position: number, type: string, length: number, scale: number, flags: Flags = {}) {
  return {
    table_name: table,
    name,
    position,
    type_name: type,
    length,
    scale,
    nulls: flags.nulls ?? 'Y',
    default_text: flags.default ?? null,
    identity: flags.identity ? 'Y' : 'N',
    generated: flags.identity ?? ' ',
    generation: null,
    codepage: flags.codepage ?? (['VARCHAR', 'CHARACTER', 'CLOB'].includes(type) ? UTF8 : 0),
    comment: flags.comment ?? null,
  };
}

const notNull = { nulls: 'N' } as const;

/** In catalog order (TABNAME, COLNO), as the query asks. */
export const columns = [
  column('BLOCK_DEVICE_MAPPING', 'ID', 0, 'INTEGER', 4, 0, { ...notNull, identity: 'D' }),
  column('BLOCK_DEVICE_MAPPING', 'INSTANCE_UUID', 1, 'VARCHAR', 36, 0),
  column('BLOCK_DEVICE_MAPPING', 'DEVICE_NAME', 2, 'VARCHAR', 255, 0),
  column('BLOCK_DEVICE_MAPPING', 'DELETE_ON_TERMINATION', 3, 'BOOLEAN', 1, 0),
  column('BLOCK_DEVICE_MAPPING', 'CONNECTION_INFO', 4, 'CLOB', 1_048_576, 0),
  column('BLOCK_DEVICE_MAPPING', 'IMAGE_METADATA', 5, 'CLOB', 2_097_152, 0),
  column('BLOCK_DEVICE_MAPPING', 'VOLUME_SIZE', 6, 'DECIMAL', 10, 2, { default: '0.00' }),
  column('FIXED_IPS', 'ID', 0, 'BIGINT', 8, 0, { ...notNull, identity: 'A' }),
  column('FIXED_IPS', 'ADDRESS', 1, 'VARCHAR', 39, 0, notNull),
  column('FIXED_IPS', 'INSTANCE_UUID', 2, 'VARCHAR', 36, 0),
  column('FIXED_IPS', 'ALLOCATED', 3, 'BOOLEAN', 1, 0, { default: 'FALSE' }),
  column('FIXED_IPS', 'LEASED', 4, 'BOOLEAN', 1, 0, { default: 'FALSE' }),
  column('FIXED_IPS', 'MAC', 5, 'CHARACTER', 6, 0, { codepage: 0 }),
  column('INSTANCES', 'ID', 0, 'INTEGER', 4, 0, { ...notNull, identity: 'D' }),
  column('INSTANCES', 'UUID', 1, 'VARCHAR', 36, 0, notNull),
  column('INSTANCES', 'HOST', 2, 'VARCHAR', 255, 0, { comment: 'compute host' }),
  column('INSTANCES', 'VM_STATE', 3, 'VARCHAR', 255, 0, { default: "'new'" }),
  column('INSTANCES', 'TASK_STATE', 4, 'VARCHAR', 255, 0, { default: "'it''s scheduled'" }),
  column('INSTANCES', 'MEMORY_MB', 5, 'INTEGER', 4, 0),
  column('INSTANCES', 'LAUNCHED_AT', 6, 'TIMESTAMP', 10, 6),
  column('INSTANCES', 'CREATED_AT', 7, 'TIMESTAMP', 10, 6, { default: 'CURRENT TIMESTAMP' }),
  column('INSTANCES', 'DELETED', 8, 'INTEGER', 4, 0, { ...notNull, default: '0' }),
  column('INSTANCES', 'LOCKED', 9, 'BOOLEAN', 1, 0, { default: 'FALSE' }),
  column('INSTANCES', 'CLEANED', 10, 'INTEGER', 4, 0, { default: 'NULL' }),
  column('InstanceFaultsArchive', 'Id', 0, 'INTEGER', 4, 0, notNull),
  column('InstanceFaultsArchive', 'CODE', 1, 'INTEGER', 4, 0, notNull),
  column('InstanceFaultsArchive', 'RECORDED_AT', 2, 'TIMESTAMP', 10, 0),
  column('InstanceFaultsArchive', 'DETAILS', 3, 'DOUBLE', 8, 0),
  column('SHADOW_INSTANCES', 'ID', 0, 'INTEGER', 4, 0, notNull),
  column('_DBTIDE_RUNS', 'ID', 0, 'VARCHAR', 36, 0, notNull),
];

/** TABCONST joined to KEYCOLUSE: primary keys (P), unique constraints (U) and foreign keys (F), in COLSEQ order. */
export const keyColumns = [
  { table_name: 'BLOCK_DEVICE_MAPPING', name: 'BLOCK_DEVICE_MAPPING_INSTANCE_UUID_FKEY', type: 'F', column_name: 'INSTANCE_UUID', position: 1 },
  { table_name: 'BLOCK_DEVICE_MAPPING', name: 'BLOCK_DEVICE_MAPPING_PKEY', type: 'P', column_name: 'ID', position: 1 },
  { table_name: 'FIXED_IPS', name: 'FIXED_IPS_PKEY', type: 'P', column_name: 'ID', position: 1 },
  { table_name: 'INSTANCES', name: 'INSTANCES_PKEY', type: 'P', column_name: 'ID', position: 1 },
  { table_name: 'INSTANCES', name: 'UNIQ_INSTANCES0UUID', type: 'U', column_name: 'UUID', position: 1 },
  { table_name: 'InstanceFaultsArchive', name: 'InstanceFaultsArchive_pkey', type: 'P', column_name: 'CODE', position: 2 },
  { table_name: 'InstanceFaultsArchive', name: 'InstanceFaultsArchive_pkey', type: 'P', column_name: 'Id', position: 1 },
];

/** REFERENCES joined to TABCONST (ENFORCED): the parent's key is REFKEYNAME. */
export const references = [
  {
    table_name: 'BLOCK_DEVICE_MAPPING',
    name: 'BLOCK_DEVICE_MAPPING_INSTANCE_UUID_FKEY',
    referenced_schema: 'NOVA',
    referenced_table: 'INSTANCES',
    referenced_key: 'UNIQ_INSTANCES0UUID',
    on_delete: 'C',
    on_update: 'A',
    enforced: 'Y',
  },
  {
    table_name: 'FIXED_IPS',
    name: 'FIXED_IPS_NETWORK_FKEY',
    referenced_schema: 'NEUTRON',
    referenced_table: 'NETWORKS',
    referenced_key: 'NETWORKS_PKEY',
    on_delete: 'A',
    on_update: 'R',
    enforced: 'Y',
  },
];

/** CHECKS joined to TABCONST: TYPE A is the server's own check of a GENERATED ALWAYS column. */
export const checks = [
  { table_name: 'FIXED_IPS', name: 'FIXED_IPS_ADDRESS_NOT_EMPTY', expression: "address <> ''", type: 'C', enforced: 'Y' },
  { table_name: 'FIXED_IPS', name: 'SQL241204113000300', expression: 'ID', type: 'A', enforced: 'Y' },
  { table_name: 'INSTANCES', name: 'INSTANCES_MEMORY_MB_POSITIVE', expression: 'memory_mb > 0 ', type: 'C', enforced: 'N' },
];

function indexColumn(table: string, name: string, rule: string, required: number, column: string, position: number, order = 'A') {
  return { table_name: table, name, unique_rule: rule, system_required: required, index_type: 'REG', column_name: column, position, column_order: order };
}

/** INDEXES joined to INDEXCOLUSE, in COLSEQ order. */
export const indexes = [
  indexColumn('BLOCK_DEVICE_MAPPING', 'BLOCK_DEVICE_MAPPING_INSTANCE_UUID_IDX', 'D', 0, 'INSTANCE_UUID', 1),
  indexColumn('BLOCK_DEVICE_MAPPING', 'SQL241204113000100', 'P', 1, 'ID', 1),
  indexColumn('FIXED_IPS', 'FIXED_IPS_ADDRESS_KEY', 'U', 0, 'ADDRESS', 1),
  indexColumn('FIXED_IPS', 'SQL241204113000200', 'P', 1, 'ID', 1),
  indexColumn('INSTANCES', 'INSTANCES_DELETED_CREATED_AT_IDX', 'D', 0, 'DELETED', 1),
  indexColumn('INSTANCES', 'INSTANCES_DELETED_CREATED_AT_IDX', 'D', 0, 'CREATED_AT', 2, 'D'),
  indexColumn('INSTANCES', 'INSTANCES_HOST_IDX', 'D', 0, 'HOST', 1),
  indexColumn('INSTANCES', 'INSTANCES_HOST_IDX', 'D', 0, 'VM_STATE', 2, 'I'),
  indexColumn('INSTANCES', 'SQL241204113000000', 'P', 1, 'ID', 1),
  // The unique constraint's own index.
  indexColumn('INSTANCES', 'SQL241204113000010', 'U', 1, 'UUID', 1),
  indexColumn('InstanceFaultsArchive', 'SQL241204113000400', 'P', 1, 'Id', 1),
  indexColumn('InstanceFaultsArchive', 'SQL241204113000400', 'P', 1, 'CODE', 2),
];

/** A sync is an UPDATE trigger and an INSERT one named as the sync; a user's trigger besides. */
export const triggers = [
  { name: '_DBTIDE_SYNC_INSTANCES_HOSTNAME', table_name: 'INSTANCES', timing: 'B', event: 'I', text: 'CREATE TRIGGER "_DBTIDE_SYNC_INSTANCES_HOSTNAME" NO CASCADE BEFORE INSERT ON "INSTANCES" ...' },
  { name: '_DBTIDE_SYNC_INSTANCES_HOSTNAME_UPDATE', table_name: 'INSTANCES', timing: 'B', event: 'U', text: 'CREATE TRIGGER "_DBTIDE_SYNC_INSTANCES_HOSTNAME_UPDATE" NO CASCADE BEFORE UPDATE ...' },
  { name: 'INSTANCES_AUDIT', table_name: 'INSTANCES', timing: 'A', event: 'U', text: 'CREATE TRIGGER instances_audit AFTER UPDATE ON instances FOR EACH ROW INSERT INTO audit VALUES (1)' },
];

/** SYSCAT.VIEWS with the tables each reads (VIEWDEP): TEXT is the whole CREATE VIEW statement. */
export const views = [
  {
    name: 'FLOATING_IPS',
    text: `CREATE VIEW "FLOATING_IPS" AS SELECT * FROM "FIXED_IPS" WHERE 'dbtide:alias' IS NOT NULL`,
    base_schema: 'NOVA',
    base_name: 'FIXED_IPS',
  },
  { name: 'ACTIVE_INSTANCES', text: 'CREATE VIEW active_instances AS SELECT * FROM instances WHERE deleted = 0', base_schema: 'NOVA', base_name: 'INSTANCES' },
];

export const sequences = [{ name: 'ORDER_NUMBERS', start: '1', increment: '1' }];

export const routines = [{ name: 'PURGE_DELETED', type: 'P', language: 'SQL' }];

/** SYSCAT.TABLES.CARD: -1 until RUNSTATS has run. */
export const cardinalities = [
  { name: 'INSTANCES', card: '120000' },
  { name: 'FIXED_IPS', card: '-1' },
];

/** SYSPROC.ADMIN_GET_TAB_INFO (ADMINTABINFO's columns): a row per data partition of a partitioned table. */
export const reorgInfo = [
  { name: 'INSTANCES', alters: 2, pending: 'N' },
  { name: 'BLOCK_DEVICE_MAPPING', alters: 0, pending: 'Y' },
  { name: 'BLOCK_DEVICE_MAPPING', alters: 1, pending: 'N' },
];
