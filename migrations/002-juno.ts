// Juno: adds instance_extra, a few instance and service columns, and instance_uuid lookup indexes.
import { defineSchema, sql } from 'dbtide';
import previous from './001-icehouse.js';

export default defineSchema({
  release: '002-juno',
  extends: previous,
  tables: {
    instances: {
      columns: {
        ephemeral_key_uuid: 'varchar(36)',
        cleaned: { type: 'int', default: 0 },
      },
      indexes: [{ columns: ['uuid'] }],
    },
    instance_extra: {
      columns: {
        id: { type: 'int', identity: true },
        instance_uuid: 'varchar(36)',
        numa_topology: 'text',
        pci_requests: 'text',
        created_at: { type: 'timestamp', default: sql('CURRENT_TIMESTAMP') },
      },
      primaryKey: ['id'],
    },
    services: { columns: { disabled_reason: 'varchar(255)' } },
    instance_faults: { indexes: [{ columns: ['instance_uuid'] }] },
    block_device_mapping: { indexes: [{ columns: ['instance_uuid'] }] },
  },
});
