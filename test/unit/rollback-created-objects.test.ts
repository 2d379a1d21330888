import { describe, expect, it } from 'vitest';
import { emptyTombstones, type DeclaredSchema, type SchemaModel, type TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects, type ColumnSync } from '../../src/model/transition.js';
import { createdObjects } from '../../src/rollback/created-objects.js';
import { check, column, foreignKey, index, table } from '../support/model-builders.js';

/** No leftovers the earlier plan drops. */
const none = { versionSchemas: [], tableCopies: [] };

const byName = (...tables: TableModel[]) => Object.fromEntries(tables.map((t) => [t.name, t]));

/** The earlier release: people(id, name) and hosts(id). */
const declared = (extra: Partial<DeclaredSchema> = {}): DeclaredSchema => ({
  release: 'v1',
  model: { tables: byName(table('people', { columns: [column('id'), column('name')] }), table('hosts')) },
  removed: emptyTombstones(),
  transitions: [],
  ...extra,
});

/** The live database after the later release's expand. */
function live(parts: { people?: Partial<TableModel>; tables?: TableModel[]; owned?: Partial<SchemaModel['owned']> } & Omit<Partial<SchemaModel>, 'tables' | 'owned'> = {}): SchemaModel {
  const { people, tables = [table('hosts')], owned, ...rest } = parts;
  return {
    tables: byName(table('people', { columns: [column('id'), column('name')], ...people }), ...tables),
    owned: { ...noOwnedObjects(), ...owned },
    ...rest,
  };
}

describe('rollback: what the withdrawn release created', () => {
  it('removes a column, an index and a table its expand added, indexes before columns, columns before tables', () => {
    const model = live({
      people: { columns: [column('id'), column('name'), column('badge')], indexes: [index('people_badge_idx', ['badge'])] },
      tables: [table('hosts'), table('tags')],
    });
    const { removals } = createdObjects(['create-table:tags', 'add-column:people.badge', 'add-index:people.people_badge_idx'], model, declared(), none);
    expect(removals).toEqual([
      { kind: 'index', table: 'people', name: 'people_badge_idx' },
      { kind: 'column', table: 'people', column: 'badge', live: 'people' },
      { kind: 'table', table: 'tags' },
    ]);
  });

  it('never removes what the earlier release declares, what is already gone, or drift the journal does not name', () => {
    const model = live({ people: { columns: [column('id'), column('name'), column('drifted')] }, tables: [table('hosts'), table('other')] });
    const created = ['add-column:people.name', 'add-column:people.gone', 'create-table:hosts', 'create-table:vanished'];
    expect(createdObjects(created, model, declared(), none).removals).toEqual([]);
  });

  it('leaves what is built on a dropped table to the table drop', () => {
    const tags = table('tags', { columns: [column('id'), column('label')], indexes: [index('tags_label_idx', ['label'])], checks: [check('tags_label_check', 'label <> \'\'')] });
    const created = ['create-table:tags', 'add-column:tags.label', 'add-index:tags.tags_label_idx', 'add-check:tags.tags_label_check'];
    expect(createdObjects(created, live({ tables: [table('hosts'), tags] }), declared(), none).removals).toEqual([{ kind: 'table', table: 'tags' }]);
  });

  it('drops foreign keys before the keys and tables they reference, and newer tables first', () => {
    const model = live({
      people: { uniques: [{ name: 'people_name_key', columns: ['name'] }], foreignKeys: [foreignKey('people_host_fk', ['host_id'], 'hosts')], columns: [column('id'), column('name'), column('host_id')] },
      tables: [table('hosts'), table('a'), table('b', { foreignKeys: [foreignKey('b_a_fk', ['a_id'], 'a')] })],
    });
    const created = ['create-table:a', 'create-table:b', 'add-column:people.host_id', 'add-unique:people.people_name_key', 'add-foreign-key:people.people_host_fk'];
    expect(createdObjects(created, model, declared(), none).removals).toEqual([
      { kind: 'constraint', table: 'people', name: 'people_host_fk', constraint: 'foreign-key' },
      { kind: 'constraint', table: 'people', name: 'people_name_key', constraint: 'unique' },
      { kind: 'column', table: 'people', column: 'host_id', live: 'people' },
      { kind: 'table', table: 'b' },
      { kind: 'table', table: 'a' },
    ]);
  });

  it('gives a renamed table its old name back first, and names what else it removes there by that name', () => {
    const model = live({
      tables: [table('machines', { columns: [column('id'), column('rack')] })],
      owned: { aliases: [{ name: 'hosts', table: 'machines' }] },
    });
    const { removals } = createdObjects(['rename-table:machines', 'add-column:machines.rack'], model, declared(), none);
    expect(removals).toEqual([
      { kind: 'table-name', table: 'machines', alias: 'hosts' },
      { kind: 'column', table: 'hosts', column: 'rack', live: 'machines' },
    ]);
  });

  it('keeps a rename whose old name the earlier release does not declare: it would be a table the release never had', () => {
    const model = live({ tables: [table('machines')], owned: { aliases: [{ name: 'hosts', table: 'machines' }] } });
    const earlier = declared({ model: { tables: byName(table('people', { columns: [column('id'), column('name')] })) } });
    expect(createdObjects(['rename-table:machines'], model, earlier, none).removals).toEqual([]);
  });

  it('stops the dual writes first, then drops the version schema the earlier plan drops', () => {
    const model = live({
      people: { columns: [column('id'), column('name'), column('full_name')] },
      owned: { triggers: [{ table: 'people', name: '_dbtide_sync_people_full_name' }] },
    });
    const created = ['add-column:people.full_name', 'install-sync:people._dbtide_sync_people_full_name', 'create-version-schema:public_v2.window', 'backfill:people.full_name'];
    expect(createdObjects(created, model, declared(), { ...none, versionSchemas: ['public_v2'] }).removals).toEqual([
      { kind: 'sync', table: 'people', trigger: '_dbtide_sync_people_full_name' },
      { kind: 'version-schema', name: 'public_v2' },
      { kind: 'column', table: 'people', column: 'full_name', live: 'people' },
    ]);
  });

  it('keeps a dual-write trigger the earlier release declares, and a version schema its plan keeps', () => {
    const sync: ColumnSync = {
      kind: 'column-sync', id: 'people.full_name', table: 'people', trigger: '_dbtide_sync_people_full_name', declaredAs: 'derive',
      forward: { full_name: 'name' }, backward: {}, retires: [], sources: ['name'], fillOnly: false, swap: null,
    };
    const model = live({ owned: { triggers: [{ table: 'people', name: sync.trigger }] } });
    const created = [`install-sync:people.${sync.trigger}`, 'create-version-schema:public_v2.window'];
    expect(createdObjects(created, model, declared({ transitions: [sync] }), none).removals).toEqual([]);
  });

  it('drops what a backfill through a copy left when it stopped before its swap, where the earlier plan drops it', () => {
    const created = ['create-table-copy:people.full_name', 'copy-table:people.full_name'];
    expect(createdObjects(created, live(), declared(), { ...none, tableCopies: ['people'] }).removals).toEqual([{ kind: 'table-copy', table: 'people' }]);
    expect(createdObjects(created, live(), declared(), none).removals).toEqual([]);
  });

  it('drops sequences, domains and enum types the expand created and the earlier release does not declare', () => {
    const model = live({
      sequences: { seq_new: { name: 'seq_new', type: 'bigint', start: '1', increment: '1', min: '1', max: '9', cache: '1', cycle: false, ownedBy: null } },
      domains: { dom_new: { name: 'dom_new', type: { kind: 'text' }, notNull: false, default: null, checks: [] } },
      enums: { mood: { name: 'mood', values: ['ok'] }, kept: { name: 'kept', values: ['a'] } },
    });
    const earlier = declared({ model: { ...declared().model, enums: { kept: { name: 'kept', values: ['a'] } } } });
    const created = ['create-enum:mood', 'create-enum:kept', 'create-domain:dom_new', 'create-sequence:seq_new'];
    expect(createdObjects(created, model, earlier, none).removals).toEqual([
      { kind: 'sequence', name: 'seq_new' },
      { kind: 'domain', name: 'dom_new' },
      { kind: 'enum', name: 'mood' },
    ]);
  });

  it('reports the steps it does not undo, and passes over data work', () => {
    const created = ['drop-not-null:people.name', 'set-comment:people', 'sql:fix-names', 'backfill:people.x', 'data-move:copy', 'validate-constraint:people.c', 'copy-table:people.x', 'drop-constraint:people.old_check'];
    expect(createdObjects(created, live(), declared(), none).notUndone).toEqual(['drop-not-null:people.name', 'set-comment:people', 'sql:fix-names', 'drop-constraint:people.old_check']);
  });

  it('takes the longest table name a step id fits, and counts each step once', () => {
    const model = live({ tables: [table('hosts'), table('a', { columns: [column('id')] }), table('a.b', { columns: [column('id'), column('c')] })] });
    const earlier = declared({ model: { tables: { ...declared().model.tables, a: table('a'), 'a.b': table('a.b', { columns: [column('id')] }) } } });
    expect(createdObjects(['add-column:a.b.c', 'add-column:a.b.c'], model, earlier, none).removals).toEqual([{ kind: 'column', table: 'a.b', column: 'c', live: 'a.b' }]);
  });
});
