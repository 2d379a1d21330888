// Icehouse: the baseline compute schema, instances and the tables that hang off them.
import { type ColumnInput, defineSchema, sql } from 'dbtide';

const id = { type: 'int', identity: true };

/** A table owned by an instance. Its instance_uuid is still nullable and unchecked in this release. */
const child = (columns: Record<string, string | ColumnInput>) => ({
  columns: { id, instance_uuid: 'varchar(36)', ...columns },
  primaryKey: ['id'],
});

export default defineSchema({
  release: '001-icehouse',
  tables: {
    instances: {
      columns: {
        id,
        uuid: 'varchar(36)',
        host: 'varchar(255)',
        hostname: 'varchar(255)',
        vm_state: 'varchar(255)',
        task_state: 'varchar(255)',
        memory_mb: 'int',
        vcpus: 'int',
        root_gb: 'int',
        launched_at: 'timestamp',
        scheduled_at: 'timestamp',
        created_at: { type: 'timestamp', default: sql('CURRENT_TIMESTAMP') },
        updated_at: 'timestamp',
        deleted: { type: 'int', nullable: false, default: 0 },
        locked: { type: 'boolean', default: false },
      },
      primaryKey: ['id'],
      indexes: [{ columns: ['host'] }, { columns: ['deleted', 'created_at'] }],
    },
    instance_metadata: {
      ...child({ key: 'varchar(255)', value: 'varchar(255)' }),
      indexes: [{ columns: ['instance_uuid'] }],
    },
    instance_system_metadata: child({ key: 'varchar(255)', value: 'varchar(255)' }),
    block_device_mapping: child({
      device_name: 'varchar(255)',
      delete_on_termination: 'boolean',
      source_type: 'varchar(255)',
      volume_id: 'varchar(255)',
      volume_size: 'int',
    }),
    instance_faults: child({
      code: { type: 'int', nullable: false },
      message: 'varchar(255)',
      details: 'text',
    }),
    instance_info_caches: child({ network_info: 'text' }),
    consoles: child({ password: 'varchar(255)', port: 'int', console_type: 'varchar(255)' }),
    instance_actions: child({
      action: 'varchar(255)',
      request_id: 'varchar(255)',
      start_time: 'timestamp',
      finish_time: 'timestamp',
    }),
    migrations: child({ source_compute: 'varchar(255)', dest_compute: 'varchar(255)', status: 'varchar(255)' }),
    security_group_instance_association: child({ security_group_id: 'int' }),
    virtual_interfaces: child({ address: 'varchar(255)', network_id: 'int' }),
    fixed_ips: {
      columns: {
        id,
        address: { type: 'varchar(39)', nullable: false },
        // NULL while the address is not allocated to an instance: nullable by design, for good.
        instance_uuid: 'varchar(36)',
        allocated: { type: 'boolean', default: false },
        leased: { type: 'boolean', default: false },
      },
      primaryKey: ['id'],
      indexes: [{ columns: ['address'], unique: true }],
    },
    services: {
      columns: {
        id,
        host: 'varchar(255)',
        binary: 'varchar(255)',
        topic: 'varchar(255)',
        report_count: { type: 'int', nullable: false, default: 0 },
        disabled: { type: 'boolean', default: false },
      },
      primaryKey: ['id'],
      indexes: [{ columns: ['host', 'topic'] }],
    },
  },
});
