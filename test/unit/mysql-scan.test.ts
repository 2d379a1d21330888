import { describe, expect, it } from 'vitest';
import { mysqlScan as scan } from '../../dialects/mysql/scan.js';
import { columnKey, readIndexKeys } from '../../src/model/index-entry.js';
import type { ForeignKeyModel } from '../../src/model/schema-model.js';

const fk = (over: Partial<ForeignKeyModel> = {}): ForeignKeyModel => ({
  name: 'f', columns: ['instance_uuid'], referencedTable: 'instances', referencedColumns: ['uuid'], onDelete: 'no action', onUpdate: 'no action', validated: true, ...over,
});

describe('mysql scan: offending rows', () => {
  it('NOT NULL: a row with a NULL in any of the columns, named by its key', () => {
    expect(scan.offenders('users', { kind: 'not-null', columns: ['a', 'b'] }, ['id'])).toBe('SELECT t.`id` FROM `users` t WHERE t.`a` IS NULL OR t.`b` IS NULL');
  });

  it('UNIQUE: every row of a group but the first in key order, over expression and prefix keys', () => {
    expect(scan.offenders('users', { kind: 'unique', keys: readIndexKeys(['tenant_id', 'lower(email)', 'name(10)', 'code DESC'], []), where: null }, ['id'])).toBe(
      'SELECT d.`id` FROM (SELECT `id`, row_number() OVER (PARTITION BY `tenant_id`, (lower(email)), LEFT(`name`, 10), `code` ORDER BY `id`) AS `_dbtide_rank` ' +
        'FROM `users` WHERE `tenant_id` IS NOT NULL AND (lower(email)) IS NOT NULL AND LEFT(`name`, 10) IS NOT NULL AND `code` IS NOT NULL) d WHERE d.`_dbtide_rank` > 1',
    );
  });

  it('UNIQUE without a primary key still counts the rows beyond the first of each group', () => {
    expect(scan.offenders('users', { kind: 'unique', keys: [columnKey('email')], where: null }, [])).toBe(
      'SELECT 1 AS one FROM (SELECT row_number() OVER (PARTITION BY `email`) AS `_dbtide_rank` FROM `users` WHERE `email` IS NOT NULL) d WHERE d.`_dbtide_rank` > 1',
    );
  });

  it('FOREIGN KEY: a row whose (non-NULL) key has no referenced row, columns paired in order', () => {
    expect(scan.offenders('consoles', { kind: 'foreign-key', foreignKey: fk() }, ['id'])).toBe(
      'SELECT t.`id` FROM `consoles` t WHERE t.`instance_uuid` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `instances` r WHERE r.`uuid` = t.`instance_uuid`)',
    );
    const two = fk({ columns: ['tenant_id', 'user_id'], referencedTable: 'users', referencedColumns: ['tid', 'id'] });
    expect(scan.offenders('orders', { kind: 'foreign-key', foreignKey: two }, ['id'])).toContain(
      'WHERE t.`tenant_id` IS NOT NULL AND t.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` r WHERE r.`tid` = t.`tenant_id` AND r.`id` = t.`user_id`)',
    );
  });

  it('CHECK: NOT of the expression, so a check that yields NULL passes as the server judges it', () => {
    expect(scan.offenders('p', { kind: 'check', check: { name: 'c', expression: 'price > 0 OR free', validated: true } }, [])).toBe(
      'SELECT 1 AS one FROM `p` t WHERE NOT (price > 0 OR free)',
    );
  });

  it('verification: rows whose new column differs (NULL-safe) from the forward expression, or is left empty', () => {
    const sync = { table: 'p', trigger: 'tg', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: [] };
    expect(scan.offenders('p', { kind: 'verification', sync, exact: true }, ['id'])).toBe('SELECT t.`id` FROM `p` t WHERE NOT (t.`total` <=> (a + b))');
    expect(scan.offenders('p', { kind: 'verification', sync, exact: false }, ['id'])).toBe(
      'SELECT t.`id` FROM `p` t WHERE (t.`total` IS NULL) AND ((a + b) IS NOT NULL)',
    );
  });
});

describe('mysql scan: batches and pages', () => {
  it('counts a row-local rule in a key range spelled as the backfill spells it', () => {
    expect(scan.countInRange('users', { kind: 'not-null', columns: ['a'] }, ['tenant', 'id'], true)).toBe(
      'SELECT count(*) AS n FROM `users` t, (SELECT ? AS _dbtide_a1, ? AS _dbtide_a2, ? AS _dbtide_u1, ? AS _dbtide_u2) AS _dbtide_k ' +
        'WHERE (t.`tenant` > _dbtide_k._dbtide_a1 OR (t.`tenant` = _dbtide_k._dbtide_a1 AND t.`id` > _dbtide_k._dbtide_a2)) ' +
        'AND (t.`tenant` < _dbtide_k._dbtide_u1 OR (t.`tenant` = _dbtide_k._dbtide_u1 AND t.`id` <= _dbtide_k._dbtide_u2)) AND (t.`a` IS NULL)',
    );
    expect(scan.countInRange('users', { kind: 'not-null', columns: ['a'] }, ['id'], false)).toBe(
      'SELECT count(*) AS n FROM `users` t WHERE t.`id` <= ? AND (t.`a` IS NULL)',
    );
  });

  it('refuses to count duplicates by range: a duplicate may lie in another range', () => {
    expect(() => scan.countInRange('users', { kind: 'unique', keys: [columnKey('a')], where: null }, ['id'], false)).toThrow(/not row-local/);
  });

  it('pages offenders in key order after a key', () => {
    expect(scan.count('X')).toBe('SELECT count(*) AS n FROM (X) o');
    expect(scan.page('X', ['tenant', 'id'], true, 5)).toBe(
      'SELECT o.* FROM (X) o, (SELECT ? AS _dbtide_a1, ? AS _dbtide_a2) AS _dbtide_k ' +
        'WHERE (o.`tenant` > _dbtide_k._dbtide_a1 OR (o.`tenant` = _dbtide_k._dbtide_a1 AND o.`id` > _dbtide_k._dbtide_a2)) ORDER BY o.`tenant`, o.`id` LIMIT 5',
    );
    expect(scan.page('X', ['id'], false, 20)).toBe('SELECT o.* FROM (X) o ORDER BY o.`id` LIMIT 20');
  });
});

describe('mysql scan: repairs', () => {
  it('locks the listed rows that still offend', () => {
    expect(scan.lockOffenders('users', ['id'], 2, 'X')).toBe('SELECT x.`id` FROM `users` x WHERE x.`id` IN (?, ?) AND x.`id` IN (X) FOR UPDATE');
    expect(scan.lockOffenders('users', ['tenant', 'id'], 2, 'X')).toBe(
      'SELECT x.`tenant`, x.`id` FROM `users` x WHERE (x.`tenant`, x.`id`) IN ((?, ?), (?, ?)) AND (x.`tenant`, x.`id`) IN (X) FOR UPDATE',
    );
  });

  it('finds dependents: children of the listed parents that no other parent row serves', () => {
    expect(scan.dependents({ table: 'consoles', key: ['id'] }, fk(), ['id'], 2)).toBe(
      'SELECT c.`id` FROM `consoles` c WHERE c.`instance_uuid` IN (SELECT p.`uuid` FROM `instances` p WHERE p.`id` IN (?, ?)) ' +
        'AND NOT EXISTS (SELECT 1 FROM `instances` q WHERE q.`uuid` = c.`instance_uuid` AND q.`id` NOT IN (?, ?)) FOR UPDATE',
    );
  });

  it('copies to the shadow table with when and why, deletes, fills defaults: the driver counts the rows', () => {
    expect(scan.copyToShadow('users', 'shadow_users', ['id', 'a'], ['id'], 2)).toBe(
      'INSERT INTO `shadow_users` (`id`, `a`, `dbtide_archived_at`, `dbtide_reason`) SELECT x.`id`, x.`a`, NOW(6), ? FROM `users` x WHERE x.`id` IN (?, ?)',
    );
    expect(scan.deleteRows('users', ['tenant', 'id'], 2)).toBe('DELETE FROM `users` WHERE (`tenant`, `id`) IN ((?, ?), (?, ?))');
    const region = { name: 'region', type: { kind: 'text' as const }, nullable: false, default: { kind: 'literal' as const, value: "eu'1" }, identity: null };
    expect(scan.fillDefault('users', region, ['id'], 1)).toBe("UPDATE `users` SET `region` = 'eu''1' WHERE `id` IN (?) AND `region` IS NULL");
    const stamp = { name: 'at', type: { kind: 'timestamp' as const, withTimeZone: false }, nullable: false, default: { kind: 'sql' as const, expression: 'now()' }, identity: null };
    expect(scan.fillDefault('users', stamp, ['id'], 1)).toContain('SET `at` = CURRENT_TIMESTAMP(6)');
  });

  it('marks a shadow table by its comment, and finds it by its exact name in the current database', () => {
    expect(scan.markShadow('shadow_users', 'users')).toEqual(["ALTER TABLE `shadow_users` COMMENT = 'dbtide:shadow-of:users'"]);
    expect(scan.shadowColumns("shadow_it's")).toContain("WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = 'shadow_it''s' ORDER BY c.ORDINAL_POSITION");
  });
});
