// Kilo: drops instances.scheduled_at, adds instance_extra.flavor, compute_nodes and two lookup indexes.
import { defineSchema } from 'dbtide';
import previous from './002-juno.js';

export default defineSchema({
  release: '003-kilo',
  extends: previous,
  tables: {
    instances: { removed: { columns: ['scheduled_at'] } },
    instance_extra: { columns: { flavor: 'text' } },
    instance_actions: { indexes: [{ columns: ['instance_uuid', 'request_id'] }] },
    instance_system_metadata: { indexes: [{ columns: ['instance_uuid'] }] },
    compute_nodes: {
      columns: {
        id: { type: 'int', identity: true },
        host: 'varchar(255)',
        vcpus: { type: 'int', nullable: false, default: 0 },
        memory_mb: { type: 'int', nullable: false, default: 0 },
        service_id: 'int',
      },
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['service_id'], references: { table: 'services', columns: ['id'] } }],
    },
  },
});
