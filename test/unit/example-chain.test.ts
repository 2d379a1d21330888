import { describe, expect, it } from 'vitest';
import icehouse from '../../migrations/001-icehouse.js';
import juno from '../../migrations/002-juno.js';
import kilo from '../../migrations/003-kilo.js';
import liberty from '../../migrations/004-liberty.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';

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

describe('example release chain', () => {
  it.each([icehouse, juno, kilo, liberty])('$release normalizes without errors', (release) => {
    expect(() => normalizeSchema(release)).not.toThrow();
  });

  it('names each release after its file', () => {
    expect([icehouse, juno, kilo, liberty].map((r) => r.release)).toEqual([
      '001-icehouse',
      '002-juno',
      '003-kilo',
      '004-liberty',
    ]);
  });

  describe('004-liberty', () => {
    const { model, removed } = normalizeSchema(liberty);
    const instances = model.tables.instances!;

    it('makes instances.uuid NOT NULL with the unique constraint uniq_instances0uuid', () => {
      expect(instances.columns.find((c) => c.name === 'uuid')).toMatchObject({ nullable: false });
      expect(instances.uniques).toEqual([{ name: 'uniq_instances0uuid', columns: ['uuid'] }]);
    });

    it.each(INSTANCE_CHILDREN)('makes %s.instance_uuid a NOT NULL foreign key to instances(uuid)', (name) => {
      const table = model.tables[name]!;
      expect(table.columns.find((c) => c.name === 'instance_uuid')).toMatchObject({ nullable: false });
      expect(table.foreignKeys).toContainEqual({
        name: `${name}_instance_uuid_fkey`,
        columns: ['instance_uuid'],
        referencedTable: 'instances',
        referencedColumns: ['uuid'],
        onDelete: 'no action',
        onUpdate: 'no action',
        validated: true,
      });
    });

    it('leaves fixed_ips.instance_uuid nullable and without a foreign key', () => {
      const fixedIps = model.tables.fixed_ips!;
      expect(fixedIps.columns.find((c) => c.name === 'instance_uuid')).toMatchObject({ nullable: true });
      expect(fixedIps.foreignKeys).toEqual([]);
    });

    it('removes the non-unique index on instances(uuid) that the unique constraint replaces', () => {
      expect(instances.indexes.map((i) => i.name)).not.toContain('instances_uuid_idx');
      expect(removed.indexes).toContainEqual({ table: 'instances', name: 'instances_uuid_idx' });
    });

    it('keeps the columns each child had before', () => {
      expect(model.tables.instance_faults!.columns.map((c) => c.name)).toEqual([
        'id',
        'instance_uuid',
        'code',
        'message',
        'details',
      ]);
    });
  });

  it('tombstones instances.scheduled_at in 003-kilo and still carries it in 004-liberty', () => {
    const tombstone = { table: 'instances', column: 'scheduled_at' };
    for (const release of [kilo, liberty]) {
      const { model, removed } = normalizeSchema(release);
      expect(removed.columns).toContainEqual(tombstone);
      expect(model.tables.instances!.columns.map((c) => c.name)).not.toContain('scheduled_at');
    }
    expect(normalizeSchema(juno).removed.columns).toEqual([]);
  });

  it('adds tables release by release', () => {
    const tables = (release: typeof icehouse) => Object.keys(normalizeSchema(release).model.tables);
    expect(tables(icehouse)).not.toContain('instance_extra');
    expect(tables(juno)).toContain('instance_extra');
    expect(tables(juno)).not.toContain('compute_nodes');
    expect(tables(kilo)).toContain('compute_nodes');
  });
});
