import { describe, expect, it } from 'vitest';
import { applyPhase, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { openDatabase } from '../../src/engine.js';
import { Ledger, ledgerTables } from '../../src/execute/ledger.js';
import { targets } from '../support/scratch-databases.js';

const v1 = defineSchema({ release: 'v1', tables: { t: { columns: { id: 'int', a: 'text' }, primaryKey: ['id'] } } });

/**
 * A first run stopped (kill -9) while it made the ledger leaves some of its tables: the next run
 * plans without the missing ones, and makes them.
 */
describe.each(targets)('a ledger half made on $name', (target) => {
  it.each([1, 2, 3])('with its first %i table(s): the next run plans, makes the rest and runs', async (made) => {
    const scratch = await target.create('ledger_partial');
    try {
      const db = await openDatabase(scratch.url);
      for (const table of ledgerTables(db.dialect).slice(0, made)) await db.conn.query(db.dialect.compiler.createTable(table).sql);
      await db.close();
      expect((await planChanges({ url: scratch.url }, v1)).plan.steps.map((s) => s.id)).toEqual(['create-table:t']);
      await applyPhase('expand', { url: scratch.url }, v1);
      const after = await openDatabase(scratch.url);
      expect(await new Ledger(after.conn, after.dialect).missingTables()).toEqual([]);
      await after.close();
      expect((await planChanges({ url: scratch.url }, v1)).plan.steps).toEqual([]);
    } finally {
      await scratch.drop();
    }
  });
});
