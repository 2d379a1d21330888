/**
 * REPLICA IDENTITY is declared on PostgreSQL and PGlite: built with a new table, changed in expand
 * on a live one (after the index it names), pulled back and planned to nothing. A release naming
 * an index the server would refuse is refused with the declaration. MySQL and MariaDB have no
 * replica identity: a release declaring one is refused before anything changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { withDatabase } from '../../src/engine.js';
import type { Plan } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const nothingToDo = (plan: Plan) => ({ steps: plan.steps.map((s) => s.id), drift: plan.drift });

const v1 = defineSchema({
  release: 'ri-1',
  tables: {
    events: { columns: { id: 'bigint', payload: 'text' }, primaryKey: ['id'], replicaIdentity: 'full' },
    logs: { columns: { id: 'bigint', line: 'text' }, primaryKey: ['id'] },
  },
});

/** The index is new in this release: the replica identity waits for it. */
const v2 = defineSchema({
  release: 'ri-2',
  extends: v1,
  tables: {
    events: { replicaIdentity: 'default' },
    logs: {
      columns: { id: 'bigint', line: 'text', seq: { type: 'bigint', nullable: false, default: 0 } },
      indexes: [{ name: 'logs_seq_key', columns: ['seq'], unique: true }],
      replicaIdentity: { index: 'logs_seq_key' },
    },
  },
});

async function identities(url: string): Promise<Record<string, string>> {
  return withDatabase(url, {}, async ({ conn }) => {
    const rows = await conn.query<{ name: string; identity: string }>(
      `select c.relname::text as name, c.relreplident::text ||
              coalesce((select ' ' || ic.relname from pg_index i join pg_class ic on ic.oid = i.indexrelid
                        where i.indrelid = c.oid and i.indisreplident), '') as identity
       from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and not starts_with(c.relname, '_dbtide')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.identity]));
  });
}

describe.each(postgresTargets)('replica identity on $name', (target) => {
  it('is built with the table, set in expand after its index, pulled back and planned to nothing', async () => {
    const db = await target.create('replica_identity');
    const t: Target = { url: db.url };
    try {
      await expand(t, v1);
      await contract(t, v1);
      expect(await identities(db.url)).toEqual({ events: 'f', logs: 'd' });
      expect(nothingToDo((await planChanges(t, v1)).plan)).toEqual({ steps: [], drift: [] });

      const { plan } = await planChanges(t, v2);
      const steps = plan.steps.map((s) => [s.id, s.phase, s.lock.level]);
      expect(steps).toContainEqual(['set-replica-identity:events', 'expand', 'ACCESS EXCLUSIVE, brief (metadata only)']);
      // The index is on a column this release adds, so it is built in expand, and the identity right after it.
      expect(steps).toContainEqual(['set-replica-identity:logs', 'expand', 'ACCESS EXCLUSIVE, brief (metadata only)']);
      const ids = plan.steps.map((s) => s.id);
      expect(ids.indexOf('set-replica-identity:logs')).toBeGreaterThan(ids.indexOf('add-index:logs.logs_seq_key'));
      await expand(t, v2);
      await contract(t, v2);
      expect(await identities(db.url)).toEqual({ events: 'd', logs: 'i logs_seq_key' });

      // The index redefined: built again under its name, it gets the identity again.
      const v3 = defineSchema({ release: 'ri-3', extends: v2, tables: { logs: { indexes: [{ name: 'logs_seq_key', columns: ['seq'], unique: true, include: ['line'] }] } } });
      expect((await planChanges(t, v3)).plan.steps.map((s) => [s.id, s.phase])).toEqual([
        ['drop-index:logs.logs_seq_key', 'contract'],
        ['add-index:logs.logs_seq_key', 'contract'],
        ['set-replica-identity:logs', 'contract'],
      ]);
      await expand(t, v3);
      await contract(t, v3);
      expect(await identities(db.url)).toEqual({ events: 'd', logs: 'i logs_seq_key' });

      const pulled = await pull(t, { release: 'ri-pulled' });
      expect(pulled.source).toContain("replicaIdentity: { index: 'logs_seq_key' }");
      expect(pulled.model.tables.events).not.toHaveProperty('replicaIdentity');
      const file = files.write(`ri-pulled-${target.name}.ts`, pulled.source);
      expect(nothingToDo((await planChanges(t, file)).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('a live replica identity the declaration does not state is put back to the default, in expand', async () => {
    const db = await target.create('replica_identity_live');
    const t: Target = { url: db.url };
    try {
      await expand(t, v1);
      await withDatabase(db.url, {}, ({ conn }) => conn.query('ALTER TABLE logs REPLICA IDENTITY NOTHING'));
      const { plan } = await planChanges(t, v1);
      expect(plan.steps.map((s) => [s.id, s.phase, s.sql])).toEqual([['set-replica-identity:logs', 'expand', ['ALTER TABLE "logs" REPLICA IDENTITY DEFAULT']]]);
      const pulled = await pull(t, { release: 'ri-live' });
      expect(pulled.source).toContain("replicaIdentity: 'nothing'");
      expect(pulled.source).not.toContain('unsupported');
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('replica identity on $name', (target) => {
  it('a release declaring one is refused at plan time, naming each table; nothing is created', async () => {
    const db = await target.create('replica_identity');
    const t: Target = { url: db.url };
    try {
      const refused = planChanges(t, v1);
      await expect(refused).rejects.toThrow(/^release ri-1 declares replica identities, which (MariaDB|MySQL) [\d.]+ does not have; nothing was changed:\n {2}tables\.events\.replicaIdentity: "full"$/);
      await expect(expand(t, v1)).rejects.toThrow(/does not have; nothing was changed/);
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
