/**
 * What every dialect owes the core on a live server, one suite for all: the registry serves its
 * URLs; a reference schema using every portable type and kind of object comes back from the
 * catalog as declared (a second plan is empty, and a pulled release file plans empty too); the
 * dual-write triggers carry writes both ways, skip a session that quieted them and never loop;
 * the backfill fills what the triggers did not, in resumable batches, keeping what new code wrote.
 * A dialect joins by adding its servers to `targets` in test/support/scratch-databases.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dialectFor } from '../../dialects/registry.js';
import { contract, expand, migrate, planChanges, pull } from '../../src/api.js';
import { defineSchema, sql } from '../../src/declaration/define-schema.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { changeType, derive } from '../../src/declaration/transitions.js';
import type { Connection } from '../../src/dialect.js';
import { withDatabase } from '../../src/engine.js';
import { stepsOf } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { targets, withConnection, type ScratchTarget } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

/** Every portable type, identity, defaults, keys, checks, foreign keys and indexes. */
const reference = (partialIndexes: boolean) =>
  defineSchema({
    release: 'ref1',
    tables: {
      owners: {
        columns: {
          id: { type: 'bigint', identity: true },
          email: { type: 'varchar(200)', nullable: false },
          nickname: 'text',
          joined: 'date',
          active: { type: 'boolean', nullable: false, default: true },
          score: { type: 'numeric(12,2)', default: 0 },
          ratio: 'double',
          weight: 'real',
          rank: 'smallint',
          seen: 'timestamp',
          created: { type: 'timestamptz', nullable: false, default: sql('CURRENT_TIMESTAMP') },
          profile: 'json',
          token: 'uuid',
          avatar: 'binary',
        },
        primaryKey: ['id'],
        uniques: [{ name: 'owners_email_key', columns: ['email'] }],
        checks: [{ name: 'owners_score_ok', expression: 'score >= 0' }],
        indexes: [
          { name: 'owners_joined_rank', columns: ['joined', 'rank'] },
          ...(partialIndexes ? [{ name: 'owners_active_seen', columns: ['seen'], where: 'active' }] : []),
        ],
      },
      pets: {
        columns: { owner_id: 'bigint', seq: 'int', label: { type: 'varchar(40)', nullable: false }, grams: 'int' },
        primaryKey: ['owner_id', 'seq'],
        foreignKeys: [{ name: 'pets_owner_fk', columns: ['owner_id'], references: { table: 'owners', columns: ['id'] }, onDelete: 'cascade' }],
        indexes: [{ name: 'pets_label', columns: ['owner_id', 'label'], unique: true }],
      },
    },
  });

/** The next release: `grams` widens through a shadow column, `shout` follows `label`. */
const next = (partialIndexes: boolean) =>
  defineSchema({
    release: 'ref2',
    extends: reference(partialIndexes),
    tables: { pets: { columns: { grams: 'bigint', shout: 'varchar(40)' } } },
    transitions: [changeType('pets', 'grams'), derive('pets', { forward: { shout: 'upper(label)' } })],
  });

const ROWS = 500;

describe.each(targets)('dialect conformance on $name', (target: ScratchTarget) => {
  it('the registry serves its URLs with this dialect', async () => {
    const db = await target.create('conform_url');
    try {
      expect((await dialectFor(db.url)).name).toBe(target.dialect.name);
    } finally {
      await db.drop();
    }
  });

  it('the reference schema comes back as declared: planning again and planning a pulled release find nothing', async () => {
    const db = await target.create('conform_ref');
    try {
      const partial = await partialIndexes(db.url);
      await expand({ url: db.url }, reference(partial));
      await contract({ url: db.url }, reference(partial));
      const { plan } = await planChanges({ url: db.url }, reference(partial));
      expect(plan.steps.map((s) => s.id)).toEqual([]);
      expect(plan.drift).toEqual([]);

      const pulled = await pull({ url: db.url }, { release: 'ref1' });
      const file = files.write(`pulled-${target.name}.ts`, pulled.source);
      const again = await planChanges({ url: db.url }, await loadSchemaFile(file));
      expect(again.plan.steps.map((s) => s.id)).toEqual([]);
      expect(again.plan.drift).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('dual writes reach both sides, skip a quieted session and never loop; the backfill resumes and keeps new writes', async () => {
    const db = await target.create('conform_sync');
    // One session per burst of writes: PGlite opens one at a time, and each opening costs.
    const session = <T>(work: (c: Connection) => Promise<T>) => withConnection(target.dialect.connect(db.url), work);
    try {
      const partial = await partialIndexes(db.url);
      await expand({ url: db.url }, reference(partial));
      await session(async (c) => {
        await c.query("INSERT INTO owners (email) VALUES ('a@example.com')");
        const [{ id: owner } = { id: 0 }] = await c.query<{ id: number }>('SELECT id FROM owners');
        await c.query(`INSERT INTO pets (owner_id, seq, label, grams) VALUES ${Array.from({ length: ROWS }, (_, i) => `(${owner}, ${i + 1}, 'p${i + 1}', ${i + 1})`).join(', ')}`);
      });

      await expand({ url: db.url }, next(partial));
      const { plan } = await planChanges({ url: db.url }, next(partial));
      expect(stepsOf(plan, 'contract').map((s) => s.operation)).toContain('swap-column');

      const synced = await session(async (c) => {
        // Old code writes the old columns; the trigger fills the new ones, on insert and on update.
        await c.query(`INSERT INTO pets (owner_id, seq, label, grams) SELECT owner_id, ${ROWS + 1}, 'old', 7 FROM pets WHERE seq = 1`);
        await c.query(`UPDATE pets SET label = 'renamed' WHERE seq = 2`);
        // New code wrote its own value before migrate: the backfill must keep it.
        await c.query(`UPDATE pets SET shout = 'MINE' WHERE seq = 3`);
        // A session that quieted the triggers (the backfill's own) reaches no other column.
        for (const s of target.dialect.backfill.quietTriggers(true)) await c.query(s);
        await c.query(`INSERT INTO pets (owner_id, seq, label, grams) SELECT owner_id, ${ROWS + 2}, 'quiet', 9 FROM pets WHERE seq = 1`);
        return c.query<{ seq: number; shout: string | null }>(`SELECT seq, shout FROM pets WHERE seq IN (2, 3, ${ROWS + 1}, ${ROWS + 2}) ORDER BY seq`);
      });
      expect(synced.map((r) => [Number(r.seq), r.shout])).toEqual([[2, 'RENAMED'], [3, 'MINE'], [ROWS + 1, 'OLD'], [ROWS + 2, null]]);

      const first = await migrate({ url: db.url }, next(partial), { backfill: { maxRows: 200, initialBatch: 50, minBatch: 50 } });
      expect(first.moreToDo).toBe(true);
      const rest = await migrate({ url: db.url }, next(partial), { backfill: { initialBatch: 50, minBatch: 50 } });
      expect(rest.moreToDo).toBe(false);
      const left = await session((c) => c.query<{ n: number }>('SELECT COUNT(*) AS n FROM pets WHERE shout IS NULL OR (shout <> upper(label) AND seq <> 3)'));
      expect(Number(left[0]!.n)).toBe(0);

      await contract({ url: db.url }, next(partial));
      const after = await session((c) => c.query<{ n: number; total: number }>('SELECT COUNT(*) AS n, SUM(grams) AS total FROM pets'));
      expect(Number(after[0]!.n)).toBe(ROWS + 2);
      expect(Number(after[0]!.total)).toBe((ROWS * (ROWS + 1)) / 2 + 7 + 9);
      const { plan: settled } = await planChanges({ url: db.url }, next(partial));
      expect(settled.steps.map((s) => s.id)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

/** The reference schema uses what the server at `url` can do. */
const partialIndexes = (url: string) => withDatabase(url, {}, async (db) => db.caps.partialIndexes);
