import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTargets, targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

describe.each(targets)('a transaction through the $name driver', (target) => {
  let scratch: ScratchDatabase;
  // PGlite lets one connection at a time open its directory: each check closes its own before the next opens.
  const connect = () => target.dialect.connect(scratch.url);
  const ids = () => withConnection(connect(), async (conn) => (await conn.query<{ id: unknown }>('SELECT id FROM notes ORDER BY id')).map((r) => Number(r.id)));

  beforeAll(async () => {
    scratch = await target.create('driver_tx');
    await withConnection(connect(), (conn) => conn.query('CREATE TABLE notes (id int PRIMARY KEY)'));
  });
  afterAll(() => scratch?.drop());

  it('commits the work when it resolves, and returns its result', async () => {
    const result = await withConnection(connect(), (conn) =>
      conn.transaction(async () => {
        await conn.query('INSERT INTO notes (id) VALUES (1)');
        return 'done';
      }),
    );
    expect(result).toBe('done');
    expect(await ids()).toEqual([1]);
  });

  it('rolls the work back when it throws, hands the caller its own error, and leaves the session usable', async () => {
    const failure = new Error('the work failed');
    await withConnection(connect(), async (conn) => {
      await expect(
        conn.transaction(async () => {
          await conn.query('INSERT INTO notes (id) VALUES (2)');
          throw failure;
        }),
      ).rejects.toBe(failure);
      // PostgreSQL refuses every statement after a failed one until the rollback.
      await expect(
        conn.transaction(async () => {
          await conn.query('INSERT INTO notes (id) VALUES (3)');
          await conn.query('INSERT INTO notes (id) VALUES (3)');
        }),
      ).rejects.toThrow(/duplicate/i);
      await conn.transaction(() => conn.query('INSERT INTO notes (id) VALUES (4)'));
    });
    expect(await ids()).toEqual([1, 4]);
  });

  it('refuses writes in a read-only transaction', async () => {
    await withConnection(connect(), async (conn) => {
      await expect(conn.transaction(() => conn.query('INSERT INTO notes (id) VALUES (5)'), { readOnly: true })).rejects.toThrow(/read.only/i);
      expect(await conn.transaction(() => conn.query('SELECT id FROM notes'), { readOnly: true })).toHaveLength(2);
    });
    expect(await ids()).toEqual([1, 4]);
  });

});

/** Where DDL shares the transaction (PostgreSQL, PGlite), the transaction undoes it too. */
describe.each(postgresTargets)('a transaction on $name', (target) => {
  let scratch: ScratchDatabase;
  const connect = () => target.dialect.connect(scratch.url);

  beforeAll(async () => {
    scratch = await target.create('driver_tx_ddl');
    await withConnection(connect(), (conn) => conn.query('CREATE TABLE notes (id int PRIMARY KEY)'));
  });
  afterAll(() => scratch?.drop());

  it('undoes the DDL of a rolled-back transaction', async () => {
    await withConnection(connect(), (conn) =>
      expect(
        conn.transaction(async () => {
          await conn.query('CREATE TABLE drafts (id int)');
          await conn.query('ALTER TABLE notes ADD COLUMN body text');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind'),
    );
    await withConnection(connect(), async (conn) => {
      expect(await conn.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'drafts'")).toEqual([]);
      expect(await conn.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'body'")).toEqual([]);
    });
  });
  it('rolls a read-only transaction back even when its work resolves', async () => {
    await withConnection(connect(), async (conn) => {
      const before = await conn.query('SHOW application_name');
      await conn.transaction(() => conn.query("SET application_name = 'inside'"), { readOnly: true });
      expect(await conn.query('SHOW application_name')).toEqual(before);
    });
  });
});
