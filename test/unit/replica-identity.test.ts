/**
 * Replica identity: normalized (an index the server would refuse is refused with the
 * declaration), compared, planned in expand after the index it names, compiled, rendered by pull,
 * and refused on a server that has none.
 */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { PG_LOCK } from '../../dialects/postgres/locks.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import type { Change } from '../../src/diff/changes.js';
import { diff } from '../../src/diff/diff.js';
import { emptyTombstones, type TableModel } from '../../src/model/schema-model.js';
import { plan } from '../../src/plan/planner.js';
import { refuseReplicaIdentity } from '../../src/plan/replica-identity.js';
import { NEW_TABLE_LOCK } from '../../src/model/locks.js';
import { T, column, index, table } from '../support/model-builders.js';

const run = (changes: Change[]) =>
  plan(changes, { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: {} });

const events = (extra: Partial<TableInput>): TableInput => ({
  columns: { id: 'bigint', seq: { type: 'bigint', nullable: false }, code: 'text', tenant: { type: 'int', nullable: false } },
  primaryKey: ['id'],
  indexes: [
    { name: 'events_seq_key', columns: ['seq'], unique: true },
    { name: 'events_code_key', columns: ['code'], unique: true },
    { name: 'events_seq_idx', columns: ['seq'] },
    { name: 'events_seq_partial', columns: ['seq'], unique: true, where: 'seq > 0' },
    { name: 'events_lower_key', columns: ['lower(code)'], unique: true },
  ],
  uniques: [{ name: 'events_tenant_key', columns: ['tenant'] }],
  ...extra,
});
const normalized = (extra: Partial<TableInput>) => normalizeSchema(defineSchema({ release: 'r', tables: { events: events(extra) } })).model.tables.events!;

describe('replica identity: declaration', () => {
  it('default is absent; full, nothing and a valid index are kept', () => {
    expect(normalized({})).not.toHaveProperty('replicaIdentity');
    expect(normalized({ replicaIdentity: 'default' })).not.toHaveProperty('replicaIdentity');
    expect(normalized({ replicaIdentity: 'full' }).replicaIdentity).toBe('full');
    expect(normalized({ replicaIdentity: 'nothing' }).replicaIdentity).toBe('nothing');
    expect(normalized({ replicaIdentity: { index: 'events_seq_key' } }).replicaIdentity).toEqual({ index: 'events_seq_key' });
    // A unique constraint's or the primary key's index serves too.
    expect(normalized({ replicaIdentity: { index: 'events_tenant_key' } }).replicaIdentity).toEqual({ index: 'events_tenant_key' });
    expect(normalized({ replicaIdentity: { index: 'events_pkey' } }).replicaIdentity).toEqual({ index: 'events_pkey' });
    // A key's order is no expression.
    const desc: Partial<TableInput> = { indexes: [{ name: 'events_seq_desc', columns: ['seq DESC'], unique: true }], replicaIdentity: { index: 'events_seq_desc' } };
    expect(normalized(desc).replicaIdentity).toEqual({ index: 'events_seq_desc' });
  });

  it.each([
    ['events_nope', /names index "events_nope", which events does not declare/],
    ['events_code_key', /index "events_code_key" has the nullable column "code" as a key/],
    ['events_seq_idx', /index "events_seq_idx" is not unique/],
    ['events_seq_partial', /index "events_seq_partial" is partial/],
    ['events_lower_key', /index "events_lower_key" has "lower\(code\)" as a key, which is not a plain column/],
  ])('an index the server would refuse is refused with the declaration: %s', (name, message) => {
    expect(() => normalized({ replicaIdentity: { index: name } })).toThrow(/tables\.events\.replicaIdentity/);
    expect(() => normalized({ replicaIdentity: { index: name } })).toThrow(message);
  });

  it('a deferrable key\'s index is refused with the declaration (the server refuses it)', () => {
    const deferrable: Partial<TableInput> = { uniques: [{ name: 'events_late_key', columns: ['seq'], deferrable: 'deferred' }], replicaIdentity: { index: 'events_late_key' } };
    expect(() => normalized(deferrable)).toThrow(/index "events_late_key" is deferrable/);
  });

  it('an unknown word is refused by the input shape', () => {
    expect(() => defineSchema({ release: 'r', tables: { t: { columns: { id: 'int' }, replicaIdentity: 'all' as 'full' } } })).toThrow(/replicaIdentity/);
  });

  it('a table named again inherits it; default resets it', () => {
    const v1 = defineSchema({ release: 'v1', tables: { t: { columns: { id: 'int' }, replicaIdentity: 'full' } } });
    const v2 = defineSchema({ release: 'v2', extends: v1, tables: { t: { columns: { a: 'int' } } } });
    const v3 = defineSchema({ release: 'v3', extends: v2, tables: { t: { replicaIdentity: 'default' } } });
    expect(normalizeSchema(v2).model.tables.t!.replicaIdentity).toBe('full');
    expect(normalizeSchema(v3).model.tables.t).not.toHaveProperty('replicaIdentity');
  });
});

describe('replica identity: diff and plan', () => {
  const declare = (t: TableModel) => ({ release: 'r', model: { tables: { t } }, removed: emptyTombstones(), transitions: [] });
  const live = (t: TableModel) => ({ tables: { t } });

  it('compares the declared identity with the live one; an undeclared live one goes back to default', () => {
    expect(diff(declare(table('t', { replicaIdentity: 'full' })), live(table('t', { replicaIdentity: 'full' })))).toEqual([]);
    const keyed = (extra: Partial<TableModel>) => table('t', { columns: [column('id', T.bigint, { nullable: false }), column('k', T.int, { nullable: false })], indexes: [index('k_key', ['k DESC'], { unique: true })], ...extra });
    expect(diff(declare(keyed({ replicaIdentity: { index: 'k_key' } })), live(keyed({ replicaIdentity: 'full' })))).toEqual([
      { kind: 'set-replica-identity', table: 't', identity: { index: 'k_key' }, columns: ['k'] },
    ]);
    expect(diff(declare(table('t')), live(table('t', { replicaIdentity: 'nothing' })))).toEqual([{ kind: 'set-replica-identity', table: 't', identity: 'default', columns: [] }]);
    expect(diff(declare(table('t', { replicaIdentity: { index: 't_pkey' } })), live(table('t', { replicaIdentity: { index: 't_pkey' } })))).toEqual([]);
  });

  it('an index the identity names that the plan builds again gets the identity again once it stands', () => {
    const declared = table('t', { columns: [column('id', T.bigint, { nullable: false }), column('k', T.int, { nullable: false })], indexes: [index('k_key', ['k'], { unique: true })], replicaIdentity: { index: 'k_key' } });
    const changed = { ...declared, indexes: [index('k_key', ['k'], { unique: true, nullsNotDistinct: true })] };
    expect(diff(declare(declared), live(changed)).map((c) => c.kind)).toEqual(['drop-index', 'add-index', 'set-replica-identity']);
    const invalid = { ...declared, indexes: [index('k_key', ['k'], { unique: true, valid: false })] };
    expect(diff(declare(declared), live(invalid)).map((c) => c.kind)).toEqual(['rebuild-index', 'set-replica-identity']);
  });

  it('compiles each form, ACCESS EXCLUSIVE for a catalog update only, in expand', () => {
    const p = run([
      { kind: 'set-replica-identity', table: 'a', identity: 'full', columns: [] },
      { kind: 'set-replica-identity', table: 'b', identity: 'default', columns: [] },
      { kind: 'set-replica-identity', table: 'c', identity: { index: 'c_"key' }, columns: ['k'] },
    ]);
    expect(p.steps.map((s) => [s.id, s.phase, s.sql, s.lock])).toEqual([
      ['set-replica-identity:a', 'expand', ['ALTER TABLE "a" REPLICA IDENTITY FULL'], PG_LOCK.metadata],
      ['set-replica-identity:b', 'expand', ['ALTER TABLE "b" REPLICA IDENTITY DEFAULT'], PG_LOCK.metadata],
      ['set-replica-identity:c', 'expand', ['ALTER TABLE "c" REPLICA IDENTITY USING INDEX "c_""key"'], PG_LOCK.metadata],
    ]);
    expect(p.steps.map((s) => s.description)).toEqual([
      'set the replica identity of a to full',
      'set the replica identity of b to default',
      'set the replica identity of c to index c_"key',
    ]);
    expect(postgresStatements.classify(p.steps[0]!.sql[0]!)).toBe('additive');
  });

  it('nothing is planned with a warning: a publication of updates or deletes refuses them', () => {
    expect(run([{ kind: 'set-replica-identity', table: 't', identity: 'nothing', columns: [] }]).warnings).toEqual([
      't: replica identity nothing: in a publication that publishes updates or deletes, the server refuses both on t from expand on',
    ]);
  });

  it('waits for the index it names: after it in expand, with it in contract when the index is a tightening', () => {
    const key = index('t_seq_key', ['seq'], { unique: true });
    const p = run([
      { kind: 'set-replica-identity', table: 't', identity: { index: 't_seq_key' }, columns: ['seq'] },
      { kind: 'add-index', table: 't', index: key },
    ]);
    expect(p.steps.map((s) => [s.id, s.phase])).toEqual([
      ['add-index:t.t_seq_key', 'contract'],
      ['set-replica-identity:t', 'contract'],
    ]);
    const q = run([
      { kind: 'set-replica-identity', table: 't', identity: { index: 't_seq_key' }, columns: ['seq'] },
      { kind: 'add-column', table: 't', column: column('seq', T.bigint) },
      { kind: 'add-index', table: 't', index: key },
    ]);
    expect(q.steps.map((s) => [s.id, s.phase])).toEqual([
      ['add-column:t.seq', 'expand'],
      ['add-index:t.t_seq_key', 'expand'],
      ['set-replica-identity:t', 'expand'],
    ]);
  });

  it('waits for the NOT NULL its key columns get in contract', () => {
    const p = run([
      { kind: 'set-replica-identity', table: 't', identity: { index: 't_seq_key' }, columns: ['seq'] },
      { kind: 'set-not-null', table: 't', column: column('seq', T.bigint, { nullable: false }) },
    ]);
    expect(p.steps.map((s) => [s.id, s.phase])).toEqual([
      ['set-not-null:t.seq', 'contract'],
      ['set-replica-identity:t', 'contract'],
    ]);
  });

  it('a new table gets it right after it is created, and its lock is the new table\'s', () => {
    const p = run([{ kind: 'create-table', table: table('t', { replicaIdentity: { index: 't_pkey' } }) }]);
    expect(p.steps.map((s) => [s.id, s.phase, s.sql, s.lock])).toEqual([
      ['create-table:t', 'expand', [expect.stringContaining('CREATE TABLE "t"')], NEW_TABLE_LOCK],
      ['set-replica-identity:t', 'expand', ['ALTER TABLE "t" REPLICA IDENTITY USING INDEX "t_pkey"'], NEW_TABLE_LOCK],
    ]);
  });
});

describe('replica identity: pull and refusal', () => {
  it('pull writes it', () => {
    const source = renderDeclaration({ tables: { a: table('a', { replicaIdentity: 'full' }), b: table('b', { replicaIdentity: { index: 'b_pkey' } }), c: table('c') } }, { release: 'r' });
    expect(source).toContain("replicaIdentity: 'full',");
    expect(source).toContain("replicaIdentity: { index: 'b_pkey' },");
    expect(source.match(/replicaIdentity/g)).toHaveLength(2);
  });

  it('a server without replica identities refuses the release, naming each table, before anything runs', () => {
    const caps = mysqlCapabilities('10.11.6-MariaDB');
    expect(caps.replicaIdentity).toBe(false);
    const declared = normalizeSchema(defineSchema({ release: 'r9', tables: { a: { columns: { id: 'int' }, replicaIdentity: 'full' }, b: { columns: { id: 'int' }, primaryKey: ['id'], replicaIdentity: { index: 'b_pkey' } }, c: { columns: { id: 'int' } } } }));
    expect(() => refuseReplicaIdentity(declared, caps.server)).toThrow(
      'release r9 declares replica identities, which MariaDB 10.11.6 does not have; nothing was changed:\n  tables.a.replicaIdentity: "full"\n  tables.b.replicaIdentity: { index: "b_pkey" }',
    );
    expect(() => refuseReplicaIdentity(normalizeSchema(defineSchema({ release: 'r', tables: { c: { columns: { id: 'int' } } } })), caps.server)).not.toThrow();
  });
});
