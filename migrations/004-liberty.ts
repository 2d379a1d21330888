// Liberty: instances.uuid becomes NOT NULL and unique; each child's instance_uuid a NOT NULL foreign key to it.
import { defineSchema } from 'dbtide';
import previous from './003-kilo.js';

/** Tables whose rows belong to an instance. fixed_ips is not one: its instance_uuid stays NULL while unallocated. */
const INSTANCE_CHILDREN = [
  'block_device_mapping',
  'consoles',
  'instance_actions',
  'instance_extra',
  'instance_faults',
  'instance_info_caches',
  'instance_metadata',
  'instance_system_metadata',
  'migrations',
  'security_group_instance_association',
  'virtual_interfaces',
];

const belongsToInstance = {
  columns: { instance_uuid: { type: 'varchar(36)', nullable: false } },
  foreignKeys: [{ columns: ['instance_uuid'], references: { table: 'instances', columns: ['uuid'] } }],
};

export default defineSchema({
  release: '004-liberty',
  extends: previous,
  // What the constraints below also say, as data rules `dbtide verify-chain` checks after contract.
  invariants: {
    'every instance has a uuid': 'SELECT id FROM instances WHERE uuid IS NULL',
    'no two instances share a uuid': 'SELECT uuid FROM instances GROUP BY uuid HAVING count(*) > 1',
  },
  tables: {
    instances: {
      columns: { uuid: { type: 'varchar(36)', nullable: false } },
      // A constraint, not just a unique index: Db2 accepts foreign keys only to a PRIMARY KEY or UNIQUE constraint.
      uniques: [{ name: 'uniq_instances0uuid', columns: ['uuid'] }],
      // The unique constraint's own index serves lookups by uuid now.
      removed: { indexes: ['instances_uuid_idx'] },
    },
    ...Object.fromEntries(INSTANCE_CHILDREN.map((table) => [table, belongsToInstance])),
  },
});
