/**
 * The PostgreSQL dual-write trigger against the server and the embedded database: an INSERT is
 * synced before it is written, an UPDATE after, by a second write of the row (dialects/postgres/
 * transitions.ts). What that second write must get right: the writer's search path and rights are
 * not its own, a transaction's later statements are still synced, it does not set off its own sync
 * again, and it does set off the table's other syncs.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import type { Connection } from '../../src/dialect.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { postgresTargets, withConnection } from '../support/scratch-databases.js';

const rename: SyncSpec = {
  table: 'people',
  trigger: '_dbtide_sync_people_nickname',
  forward: { nickname: '"nick"' },
  backward: { nick: '"nickname"' },
  fillOnly: false,
  sources: ['nick'],
  key: ['id'],
};

const run = async (conn: Connection, ...statements: (string | { sql: string })[]) => {
  for (const s of statements) await conn.query(typeof s === 'string' ? s : s.sql);
};

describe.each(postgresTargets)('postgres dual-write trigger on $name', (target) => {
  /** `people` in the schema `app`, synced by `sync` created with the search path on `app`, then the session's path set back to `public`. */
  const withPeople = (label: string, sync: SyncSpec, work: (conn: Connection) => Promise<void>) =>
    target.create(label).then(async (db) => {
      try {
        await withConnection(target.dialect.connect(db.url), async (conn) => {
          await run(conn, 'CREATE SCHEMA app', 'SET search_path TO app', 'CREATE TABLE people (id int PRIMARY KEY, nick text, nickname text, name text, code text, score int)');
          await run(conn, ...postgresTransitions.createSyncTrigger(sync), 'SET search_path TO public');
          await work(conn);
        });
      } finally {
        await db.drop();
      }
    });
  const person = async (conn: Connection, id: number) => (await conn.query<Record<string, unknown>>('SELECT nick, nickname, name, code, score FROM app.people WHERE id = $1', [id]))[0];

  it("syncs an UPDATE after it is written, from a session whose search path lacks the table's schema, each statement of a transaction", async () => {
    await withPeople('sync_update', rename, async (conn) => {
      await run(conn, "INSERT INTO app.people (id, nick) VALUES (1, 'old')", "INSERT INTO app.people (id, nickname) VALUES (2, 'new')");
      expect(await person(conn, 1)).toMatchObject({ nick: 'old', nickname: 'old' });
      expect(await person(conn, 2)).toMatchObject({ nick: 'new', nickname: 'new' });

      await run(conn, "UPDATE app.people SET nick = 'old2' WHERE id = 1", "UPDATE app.people SET nickname = 'new2' WHERE id = 2");
      expect(await person(conn, 1)).toMatchObject({ nick: 'old2', nickname: 'old2' });
      expect(await person(conn, 2)).toMatchObject({ nick: 'new2', nickname: 'new2' });

      // The second write quiets the triggers for itself only: the next statement is synced again.
      await conn.transaction(async () => {
        await run(conn, "UPDATE app.people SET nick = 'a' WHERE id = 1", "UPDATE app.people SET nick = 'b' WHERE id = 1", "UPDATE app.people SET nickname = 'c' WHERE id = 2");
      });
      expect(await person(conn, 1)).toMatchObject({ nick: 'b', nickname: 'b' });
      expect(await person(conn, 2)).toMatchObject({ nick: 'c', nickname: 'c' });

      // An update of other columns leaves both alone.
      await run(conn, "UPDATE app.people SET nickname = 'apart' WHERE id = 1");
      await run(conn, 'UPDATE app.people SET score = 7');
      expect(await person(conn, 1)).toMatchObject({ nick: 'apart', nickname: 'apart', score: 7 });
    });
  });

  it("never runs a lossy backward expression on what the forward one just wrote, and fires for none of the backfill's writes", async () => {
    const lossy: SyncSpec = { ...rename, trigger: '_dbtide_sync_people_code', forward: { code: 'upper(name)' }, backward: { name: 'lower(code)' }, sources: ['name'] };
    await withPeople('sync_lossy', lossy, async (conn) => {
      await run(conn, "INSERT INTO app.people (id, name) VALUES (1, 'Ada')", "UPDATE app.people SET name = 'Grace' WHERE id = 1");
      expect(await person(conn, 1)).toMatchObject({ name: 'Grace', code: 'GRACE' });
      await run(conn, "UPDATE app.people SET code = 'LIN' WHERE id = 1");
      expect(await person(conn, 1)).toMatchObject({ name: 'lin', code: 'LIN' });

      await run(conn, ...postgresBackfill.quietTriggers(true), "UPDATE app.people SET name = 'Quiet' WHERE id = 1", ...postgresBackfill.quietTriggers(false));
      expect(await person(conn, 1)).toMatchObject({ name: 'Quiet', code: 'LIN' });
    });
  });

  it("reaches the table's other syncs: a rename's backward write of the old column reaches a derive that reads it", async () => {
    const derive: SyncSpec = { ...rename, trigger: '_dbtide_sync_people_code', forward: { code: 'upper(nick)' }, backward: {}, sources: ['nick'] };
    await withPeople('sync_chain', rename, async (conn) => {
      await run(conn, 'SET search_path TO app', ...postgresTransitions.createSyncTrigger(derive), 'SET search_path TO public');
      await run(conn, "INSERT INTO app.people (id, nick) VALUES (1, 'old'), (2, 'new')");
      expect(await person(conn, 2)).toMatchObject({ nick: 'new', nickname: 'new', code: 'NEW' });
      // Old code writes the old column: both syncs fire for its update.
      await run(conn, "UPDATE app.people SET nick = 'old2' WHERE id = 1");
      expect(await person(conn, 1)).toMatchObject({ nick: 'old2', nickname: 'old2', code: 'OLD2' });
      // New code writes the new column: the rename writes the old one, which the derive reads.
      await run(conn, "UPDATE app.people SET nickname = 'new2' WHERE id = 2");
      expect(await person(conn, 2)).toMatchObject({ nick: 'new2', nickname: 'new2', code: 'NEW2' });
    });
  });

  // Roles belong to the server; the embedded database has one user.
  if (target.name === 'postgres') it('syncs the UPDATE of a writer that may update only the old column', async () => {
    const role = `t_writer_${randomUUID().slice(0, 8)}`;
    await withPeople('sync_grants', rename, async (conn) => {
      await run(conn, "INSERT INTO app.people (id, nick) VALUES (1, 'old')", `CREATE ROLE ${role}`, `GRANT USAGE ON SCHEMA app TO ${role}`, `GRANT SELECT, UPDATE (nick) ON app.people TO ${role}`);
      try {
        await run(conn, `SET ROLE ${role}`, "UPDATE app.people SET nick = 'granted' WHERE id = 1", 'RESET ROLE');
        expect(await person(conn, 1)).toMatchObject({ nick: 'granted', nickname: 'granted' });
      } finally {
        await run(conn, 'RESET ROLE', `DROP OWNED BY ${role}`, `DROP ROLE ${role}`);
      }
    });
  });
});
