/** A declared table rename the server refuses because of what depends on the table (Db2: SQL0750N). */
import { describe, expect, it } from 'vitest';
import { db2Capabilities } from '../../dialects/db2/capabilities.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { emptyTombstones, type DeclaredSchema, type SchemaModel } from '../../src/model/schema-model.js';
import { noOwnedObjects } from '../../src/model/transition.js';
import { blockedTableRenames, refuseBlockedTableRenames } from '../../src/plan/table-renames.js';
import { column as col, foreignKey, T, table } from '../support/model-builders.js';

const db2 = db2Capabilities('11.5');
const renames = (from: string, to: string): DeclaredSchema => ({ release: 'r2', model: { tables: {} }, removed: emptyTombstones(), transitions: [{ kind: 'rename-table', from, to }] });
const live = (extra: Partial<SchemaModel> = {}): SchemaModel => ({
  tables: {
    hosts: table('hosts', { columns: [col('id', T.int)] }),
    services: table('services', { columns: [col('id', T.int), col('host_id', T.int)], foreignKeys: [foreignKey('services_host_id_fkey', ['host_id'], 'hosts')] }),
    notes: table('notes', { columns: [col('id', T.int)] }),
  },
  owned: noOwnedObjects(),
  ...extra,
});

describe('table renames on Db2', () => {
  it('refuses a table a foreign key joins, on either side, naming the key and the fix', () => {
    expect(blockedTableRenames(renames('hosts', 'compute_hosts'), live(), db2)).toEqual([
      'transitions: renameTable hosts -> compute_hosts: Db2 11.5 refuses to rename a table that a trigger is on or a foreign key joins (SQL0750N), and hosts has the foreign key services.services_host_id_fkey: drop them in an earlier release (declare them removed) and add them back after the rename, or keep the table\'s name',
    ]);
    expect(blockedTableRenames(renames('services', 'svc'), live(), db2)).toEqual([expect.stringContaining('and services has its foreign key services_host_id_fkey:')]);
  });

  it("refuses a table with a trigger, dbtide's or the application's", () => {
    const triggered = live({ owned: { ...noOwnedObjects(), triggers: [{ table: 'notes', name: '_dbtide_sync_notes_body' }] }, unsupported: [{ kind: 'trigger', name: 'notes_audit', table: 'notes', detail: '' }] });
    expect(blockedTableRenames(renames('notes', 'memos'), triggered, db2)).toEqual([expect.stringContaining('and notes has the trigger _dbtide_sync_notes_body, the trigger notes_audit:')]);
  });

  it('lets a table nothing depends on be renamed, and every table on servers that rename them anyway', () => {
    expect(blockedTableRenames(renames('notes', 'memos'), live(), db2)).toEqual([]);
    expect(blockedTableRenames(renames('hosts', 'compute_hosts'), live(), postgresCapabilities('15.4'))).toEqual([]);
    expect(() => refuseBlockedTableRenames(renames('hosts', 'compute_hosts'), live(), db2)).toThrow(/^release r2 renames tables Db2 11\.5 cannot rename as they stand; nothing was changed:\n {2}transitions: renameTable hosts/);
  });
});
