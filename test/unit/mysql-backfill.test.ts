import { describe, expect, it } from 'vitest';
import { mysqlBackfill as backfill } from '../../dialects/mysql/backfill.js';

const job = { id: 'v2:p:total', table: 'p', key: ['id'], set: { total: 'a + b', label: "COALESCE(`label`, 'x')" }, where: '`total` IS NULL' };
const composite = { table: 'p', key: ['tenant', 'id'] };

describe('mysql backfill: keyset batches', () => {
  it('finds the last key by walking the key backwards', () => {
    expect(backfill.lastKey(job)).toBe('SELECT `id` FROM `p` ORDER BY `id` DESC LIMIT 1');
    expect(backfill.lastKey(composite)).toBe('SELECT `tenant`, `id` FROM `p` ORDER BY `tenant` DESC, `id` DESC LIMIT 1');
  });

  it('finds the end of a batch: a one-column key takes its bounds in place; a longer one takes them once each, in a derived table, and is spelled column by column', () => {
    expect(backfill.batchEnd(job, false)).toBe(
      'SELECT `p`.`id` FROM `p` WHERE `p`.`id` <= ? ORDER BY `p`.`id` LIMIT 1 OFFSET ?',
    );
    expect(backfill.batchEnd(composite, true)).toBe(
      'SELECT `p`.`tenant`, `p`.`id` FROM `p`, (SELECT ? AS _dbtide_a1, ? AS _dbtide_a2, ? AS _dbtide_u1, ? AS _dbtide_u2) AS _dbtide_k ' +
        'WHERE (`p`.`tenant` > _dbtide_k._dbtide_a1 OR (`p`.`tenant` = _dbtide_k._dbtide_a1 AND `p`.`id` > _dbtide_k._dbtide_a2)) ' +
        'AND (`p`.`tenant` < _dbtide_k._dbtide_u1 OR (`p`.`tenant` = _dbtide_k._dbtide_u1 AND `p`.`id` <= _dbtide_k._dbtide_u2)) ' +
        'ORDER BY `p`.`tenant`, `p`.`id` LIMIT 1 OFFSET ?',
    );
  });

  it("updates the rows of a key range that meet the job's condition; the driver reports the rows matched", () => {
    expect(backfill.update(job, true)).toBe(
      "UPDATE `p` SET `p`.`total` = a + b, `p`.`label` = COALESCE(`label`, 'x') WHERE `p`.`id` > ? AND `p`.`id` <= ? AND (`total` IS NULL)",
    );
    expect(backfill.update({ ...job, key: ['a', 'b', 'c'], set: { x: 'y' }, where: '`x` IS NULL' }, false)).toBe(
      'UPDATE `p`, (SELECT ? AS _dbtide_u1, ? AS _dbtide_u2, ? AS _dbtide_u3) AS _dbtide_k SET `p`.`x` = y ' +
        'WHERE (`p`.`a` < _dbtide_k._dbtide_u1 OR (`p`.`a` = _dbtide_k._dbtide_u1 AND `p`.`b` < _dbtide_k._dbtide_u2) ' +
        'OR (`p`.`a` = _dbtide_k._dbtide_u1 AND `p`.`b` = _dbtide_k._dbtide_u2 AND `p`.`c` <= _dbtide_k._dbtide_u3)) AND (`x` IS NULL)',
    );
  });

  it('quiets the triggers through a session variable', () => {
    expect(backfill.quietTriggers(true)).toEqual(["SET @dbtide_backfill = 'on'"]);
    expect(backfill.quietTriggers(false)).toEqual(['SET @dbtide_backfill = NULL']);
  });
});
