import { describe, expect, it } from 'vitest';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import type { StatementClass } from '../../src/model/statement-class.js';

const classify = (sql: string) => mysqlStatements.classify(sql);

describe('mysqlStatements.classify', () => {
  it.each<[string, StatementClass]>([
    ['ALTER TABLE `t` ADD COLUMN `c` int, ALGORITHM=INSTANT, LOCK=NONE', 'additive'],
    ['ALTER TABLE `t` ADD INDEX `i` (`a`, `b`), ALGORITHM=INPLACE, LOCK=NONE', 'additive'],
    ['ALTER TABLE `t` ADD COLUMN `x,y` int, ALGORITHM = INSTANT', 'additive'],
    ['ALTER TABLE `t` DROP `c`, ALGORITHM=INPLACE', 'destructive'],
    ['ALTER TABLE `t` ALTER COLUMN `my col` DROP DEFAULT', 'tightening'],
    // names with spaces, backticks, semicolons, accents
    ['ALTER TABLE `semi;colon` ADD COLUMN `back``tick; DROP TABLE t` int, ALGORITHM=INSTANT, LOCK=DEFAULT', 'additive'],
    ['ALTER TABLE `User` ADD INDEX `i` (`prénom`, `a;b`(8)), ALGORITHM=INPLACE, LOCK=NONE', 'additive'],
    ['CREATE TRIGGER `t;1` BEFORE INSERT ON `a;b` FOR EACH ROW BEGIN SET NEW.`x;y` = NEW.`back``tick`; END', 'additive'],
    // relaxing: a rule or an index goes, no data
    ['ALTER TABLE `t` DROP INDEX `i`', 'relaxing'],
    ['ALTER TABLE `t` DROP KEY `i`, ALGORITHM=INPLACE, LOCK=NONE', 'relaxing'],
    ['ALTER TABLE `t` DROP FOREIGN KEY `fk`', 'relaxing'],
    ['ALTER TABLE `t` DROP CHECK `c`', 'relaxing'],
    ['ALTER TABLE `t` DROP CONSTRAINT `c`', 'relaxing'],
    ['DROP INDEX `i` ON `t`', 'relaxing'],
    ['ALTER TABLE `t` DROP INDEX `i`, DROP COLUMN `c`', 'destructive'],
    ['ALTER TABLE `t` MODIFY COLUMN `c` bigint', 'unknown'],
    // PostgreSQL's spellings are not MySQL's
    ['ALTER TABLE `t` ALTER COLUMN `c` SET NOT NULL', 'unknown'],
    ['ALTER TABLE `t` VALIDATE CONSTRAINT `c`', 'unknown'],
    ['REINDEX TABLE `t`', 'unknown'],
    // common statements
    ['CREATE TABLE `users` (`id` bigint)', 'additive'],
    ['SELECT 1; DROP TABLE users', 'destructive'],
    ['WITH d AS (SELECT 1) DELETE FROM users', 'destructive'],
    ['EXPLAIN ANALYZE FORMAT=TREE DELETE FROM users', 'destructive'],
    ['EXPLAIN FORMAT=TREE DELETE FROM users', 'read'],
  ])('%j is %s', (sql, expected) => {
    expect(classify(sql)).toBe(expected);
  });

  it('a table lock makes writers wait as a rewrite does; releasing it is session state', () => {
    expect(classify('LOCK TABLES `t` WRITE')).toBe('rewrite');
    expect(classify('LOCK TABLE `t` WRITE')).toBe('rewrite');
    expect(classify('UNLOCK TABLES')).toBe('session');
  });

  it.each<[string, StatementClass]>([
    // # starts a comment; -- does only before white space
    ['SELECT 1 # ; DROP TABLE users', 'read'],
    ["SELECT 1 # '\n; DROP TABLE users", 'destructive'],
    ['SELECT 1 -- ; DROP TABLE users', 'read'],
    ['SELECT 1--1; DROP TABLE users', 'destructive'],
    ['ALTER TABLE `t` ADD COLUMN `x` int DEFAULT (1--1), DROP COLUMN `y`', 'destructive'],
    // backslashes escape in strings, double quotes quote strings
    ["SELECT 'it\\'s; DROP TABLE t'", 'read'],
    ['SELECT "it\\"s; DROP TABLE t"', 'read'],
    ["SELECT 'a\\''; DROP TABLE t; -- '", 'destructive'],
    ["ALTER TABLE `t` ADD COLUMN `c` int DEFAULT 'a\\'', DROP COLUMN `d` -- '", 'destructive'],
    ["SELECT 'C:\\\\'; DROP TABLE t", 'destructive'],
    // a backslash is no escape in a quoted name
    ['ALTER TABLE `a\\` ADD COLUMN `b` int', 'additive'],
    // block comments do not nest
    ['SELECT 1 /* nested /* ; */ ; DROP TABLE users */', 'destructive'],
    ['SELECT 1 /* a /* b */ c */; DROP TABLE users', 'destructive'],
    // no dollar quotes
    ['SELECT $$; DROP TABLE users; SELECT $$', 'destructive'],
    // the server runs the text of an executable comment
    ['ALTER TABLE `t` ADD COLUMN `x` int /*!, DROP COLUMN `y` */', 'destructive'],
    ['ALTER TABLE `t` ADD COLUMN `x` int /*!80000 , DROP COLUMN `y` */', 'destructive'],
    ['ALTER TABLE `t` ADD COLUMN `x` int /*M!100500 , DROP COLUMN `y` */', 'destructive'],
    ["ALTER TABLE `t` ADD COLUMN `x` int /*! DEFAULT '*/, DROP COLUMN `y`' */", 'additive'],
    ['/*!40101 SET NAMES utf8mb4 */', 'session'],
  ])('the text as MySQL reads it: %j is %s', (sql, expected) => {
    expect(classify(sql)).toBe(expected);
  });
});

describe('mysqlStatements.compensatedRename', () => {
  const views = ['CREATE OR REPLACE VIEW `machines` AS SELECT * FROM `hosts`', 'CREATE OR REPLACE VIEW `_dbtide_alias_hosts` AS SELECT * FROM `machines`'];
  const swap = 'RENAME TABLE `machines` TO `_dbtide_renamed_hosts`, `hosts` TO `machines`, `_dbtide_alias_hosts` TO `hosts`';

  it('takes the swap of three names after the views that keep the old name over the same rows', () => {
    expect(mysqlStatements.compensatedRename([...views, swap], 2)).toBe(true);
  });

  // DDL commits statement by statement: between the two, old code would find no table under the old name.
  it('does not take a rename followed by a view, as PostgreSQL does', () => {
    expect(mysqlStatements.compensatedRename(['ALTER TABLE `hosts` RENAME TO `machines`', 'CREATE VIEW `hosts` AS SELECT * FROM `machines`'], 0)).toBe(false);
    expect(mysqlStatements.compensatedRename(['RENAME TABLE `hosts` TO `machines`', 'CREATE VIEW `hosts` AS SELECT * FROM `machines`'], 0)).toBe(false);
  });

  it('refuses a swap before its views', () => {
    expect(mysqlStatements.compensatedRename([swap, ...views], 0)).toBe(false);
  });

  it("takes the alias with dbtide's marker, and no other condition", () => {
    const marked = [views[0]!, `${views[1]!} WHERE 'dbtide:alias' IS NOT NULL`];
    expect(mysqlStatements.compensatedRename([...marked, swap], 2)).toBe(true);
    const filtered = [views[0]!, `${views[1]!} WHERE id > 0`];
    expect(mysqlStatements.compensatedRename([...filtered, swap], 2)).toBe(false);
  });
});

describe('mysqlStatements: what only touches dbtide\'s own objects', () => {
  it('takes drops and prepared statements of dbtide\'s names only, and a table copy\'s swap for a compensated rename', () => {
    expect(mysqlStatements.ownObjectsOnly('DROP TABLE IF EXISTS `_dbtide_copy_orders`, `_dbtide_old_orders`')).toBe(true);
    expect(mysqlStatements.ownObjectsOnly('DROP TRIGGER IF EXISTS `_dbtidm_sync_orders_ref`')).toBe(true);
    expect(mysqlStatements.ownObjectsOnly('EXECUTE _dbtide_counter')).toBe(true);
    expect(mysqlStatements.ownObjectsOnly('DROP TABLE IF EXISTS `_dbtide_copy_orders`, `orders`')).toBe(false);
    expect(mysqlStatements.ownObjectsOnly('DROP TABLE orders')).toBe(false);
    expect(mysqlStatements.ownObjectsOnly('EXECUTE stmt')).toBe(false);
    expect(mysqlStatements.ownObjectsOnly('DELETE FROM `_dbtide_runs`')).toBe(false);
    expect(mysqlStatements.compensatedRename(['RENAME TABLE `orders` TO `_dbtide_old_orders`, `_dbtide_copy_orders` TO `orders`'], 0)).toBe(true);
    expect(mysqlStatements.compensatedRename(['RENAME TABLE `orders` TO `_dbtide_old_orders`, `users` TO `orders`'], 0)).toBe(false);
    expect(mysqlStatements.compensatedRename(['RENAME TABLE `orders` TO `archive`, `_dbtide_copy_orders` TO `orders`'], 0)).toBe(false);
  });
});
