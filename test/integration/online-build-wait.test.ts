import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { connectPostgres } from '../../dialects/postgres/driver.js';
import { noPostgres, scratchPostgres, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    items: { columns: { id: 'int', sku: 'varchar(20)' }, primaryKey: ['id'] },
    audit: { columns: { id: 'int' }, primaryKey: ['id'] },
  },
});
const v2 = defineSchema({ release: 'v2', extends: v1, tables: { items: { uniques: [{ name: 'items_sku_key', columns: ['sku'] }] } } });

/** A server: the test needs a second session holding a transaction open. */
describe.skipIf(noPostgres)('online index builds and the lock timeout, on postgres', () => {
  let scratch: ScratchDatabase;
  let t: Target;
  beforeAll(async () => {
    scratch = await scratchPostgres('online_build');
    t = { url: scratch.url };
    for (const phase of [expand, migrate, contract]) await phase(t, v1);
    const conn = await connectPostgres(t.url);
    await conn.query(`INSERT INTO items (id, sku) SELECT g, 'sku-' || g FROM generate_series(1, 1000) g`);
    await conn.close();
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('a CONCURRENTLY build waits out an old transaction instead of being cancelled half done by a short lock timeout', async () => {
    // An application transaction left open on the table: the unique index build must wait for it.
    const app = await connectPostgres(t.url);
    await app.query('BEGIN');
    await app.query("UPDATE items SET sku = sku WHERE id = 1");
    const release = new Promise<void>((resolve) =>
      setTimeout(() => void app.query('COMMIT').then(() => app.close()).then(resolve), 1500),
    );
    await contract(t, v2, { retry: { lockTimeoutMs: 50, retries: 1 } });
    await release;
    const conn = await connectPostgres(t.url);
    try {
      expect(await conn.query(`SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_sku_key'`)).toEqual([
        { relname: 'items_sku_key', indisvalid: true },
      ]);
      expect(await conn.query(`SELECT conname FROM pg_constraint WHERE conname = 'items_sku_key'`)).toEqual([{ conname: 'items_sku_key' }]);
    } finally {
      await conn.close();
    }
  }, 60_000);
});
