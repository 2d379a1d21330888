import { describe, expect, it } from 'vitest';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { rowExpression } from '../../dialects/mysql/sync-triggers.js';
import { updateTriggerName } from '../../dialects/mysql/trigger-names.js';
import { statementText } from '../support/statement-text.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';

/** The transitions' SQL text; their locks are tested where the plan states them. */
const transitions = statementText(mysqlTransitions);

const rename: SyncSpec = {
  table: 'people', trigger: '_dbtide_sync_people_nickname', forward: { nickname: 'nick' }, backward: { nick: 'nickname' }, fillOnly: false, sources: ['nick'],
};

const body = (...lines: string[]) => ["  IF NOT (@dbtide_backfill <=> 'on') THEN", ...lines.map((l) => `    ${l}`), '    END IF;', '  END IF;', 'END'];
const changed = (...columns: string[]) => `NOT (${columns.map((c) => `CAST(NEW.\`${c}\` AS BINARY) <=> CAST(OLD.\`${c}\` AS BINARY)`).join(' AND ')})`;

describe('mysql transitions: dual-write triggers', () => {
  it('a sync is an UPDATE trigger, then the INSERT trigger named by the sync; both skip the backfill and go by the rules', () => {
    expect(transitions.createSyncTrigger(rename)).toEqual([
      [
        'CREATE TRIGGER IF NOT EXISTS `_dbtide_sync_people_nickname_update` BEFORE UPDATE ON `people` FOR EACH ROW BEGIN',
        ...body(
          `IF ${changed('nickname')} THEN SET NEW.\`nick\` = NEW.\`nickname\`;`,
          `ELSEIF ${changed('nick')} THEN SET NEW.\`nickname\` = NEW.\`nick\`;`,
        ),
      ].join('\n'),
      [
        'CREATE TRIGGER `_dbtide_sync_people_nickname` BEFORE INSERT ON `people` FOR EACH ROW BEGIN',
        ...body('IF NEW.`nickname` IS NULL THEN SET NEW.`nickname` = NEW.`nick`;', 'ELSE SET NEW.`nick` = NEW.`nickname`;'),
      ].join('\n'),
    ]);
  });

  it('a derive with a way back: expressions read the row from NEW, every assignment in one SET', () => {
    const derive: SyncSpec = {
      table: 'people',
      trigger: 'tg',
      forward: { full_name: "CONCAT(first_name, ' ', `last_name`)" },
      backward: { first_name: "SUBSTRING_INDEX(full_name, ' ', 1)", last_name: "SUBSTRING_INDEX(full_name, ' ', -1)" },
      fillOnly: false,
      sources: ['first_name', 'last_name'],
    };
    const [update, insert] = transitions.createSyncTrigger(derive);
    expect(update).toBe([
      'CREATE TRIGGER IF NOT EXISTS `tg_update` BEFORE UPDATE ON `people` FOR EACH ROW BEGIN',
      ...body(
        `IF ${changed('full_name')} THEN SET NEW.\`first_name\` = SUBSTRING_INDEX(NEW.\`full_name\`, ' ', 1), NEW.\`last_name\` = SUBSTRING_INDEX(NEW.\`full_name\`, ' ', -1);`,
        `ELSEIF ${changed('first_name', 'last_name')} THEN SET NEW.\`full_name\` = CONCAT(NEW.\`first_name\`, ' ', NEW.\`last_name\`);`,
      ),
    ].join('\n'));
    expect(insert).toContain("IF NEW.`full_name` IS NULL THEN SET NEW.`full_name` = CONCAT(NEW.`first_name`, ' ', NEW.`last_name`);\n    ELSE SET NEW.`first_name` =");
  });

  it('a fill fills only what is still empty, on either event', () => {
    const fill: SyncSpec = { table: 'people', trigger: 'tg', forward: { city_code: "UPPER(LEFT(COALESCE(city, 'zzz'), 3))" }, backward: {}, fillOnly: true, sources: [] };
    const decide = "IF NEW.`city_code` IS NULL THEN SET NEW.`city_code` = UPPER(LEFT(COALESCE(NEW.`city`, 'zzz'), 3));";
    expect(transitions.createSyncTrigger(fill)).toEqual([
      ['CREATE TRIGGER IF NOT EXISTS `tg_update` BEFORE UPDATE ON `people` FOR EACH ROW BEGIN', ...body(decide)].join('\n'),
      ['CREATE TRIGGER `tg` BEFORE INSERT ON `people` FOR EACH ROW BEGIN', ...body(decide)].join('\n'),
    ]);
  });

  it('without a way back: an UPDATE of the sources goes forward; without sources, one leaving the new columns alone', () => {
    const oneWay: SyncSpec = { table: 'p', trigger: 'tg', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: ['a', 'b'] };
    const [update, insert] = transitions.createSyncTrigger(oneWay);
    expect(update).toContain(`    IF ${changed('a', 'b')} THEN SET NEW.\`total\` = NEW.\`a\` + NEW.\`b\`;\n    END IF;`);
    expect(insert).toContain('    IF NEW.`total` IS NULL THEN SET NEW.`total` = NEW.`a` + NEW.`b`;\n    END IF;');
    const [anyUpdate] = transitions.createSyncTrigger({ ...oneWay, sources: [] });
    expect(anyUpdate).toContain('IF (CAST(NEW.`total` AS BINARY) <=> CAST(OLD.`total` AS BINARY)) THEN SET NEW.`total` = NEW.`a` + NEW.`b`;');
  });

  it('computes every value first when one expression reads a field an earlier one assigns', () => {
    const chained: SyncSpec = { table: 'p', trigger: 'tg', forward: { a: 'x + 1', b: 'A * 2' }, backward: {}, fillOnly: true, sources: [] };
    expect(transitions.createSyncTrigger(chained)[1]).toContain(
      'IF NEW.`a` IS NULL AND NEW.`b` IS NULL THEN SET @_dbtide_1 = NEW.`x` + 1, @_dbtide_2 = NEW.`A` * 2; ' +
        'SET NEW.`a` = @_dbtide_1, NEW.`b` = @_dbtide_2; SET @_dbtide_1 = NULL, @_dbtide_2 = NULL;',
    );
  });

  it('names the UPDATE trigger within 64 characters, and drops it first', () => {
    const long = `_dbtide_sync_${'x'.repeat(50)}`;
    expect(updateTriggerName(long)).toHaveLength(64);
    expect(updateTriggerName(long)).not.toBe(updateTriggerName(`${long}y`));
    // Under the names a table copy gives them as well (dialects/mysql/trigger-names.ts).
    expect(transitions.dropSyncTrigger('people', '_dbtide_sync_people_x')).toEqual([
      'DROP TRIGGER IF EXISTS `_dbtide_sync_people_x_update`',
      'DROP TRIGGER IF EXISTS `_dbtidm_sync_people_x_update`',
      'DROP TRIGGER IF EXISTS `_dbtide_sync_people_x`',
      'DROP TRIGGER IF EXISTS `_dbtidm_sync_people_x`',
    ]);
  });
});

describe('mysql transitions: table renames', () => {
  it('swaps the names in one statement, so the old name never goes missing; the guard lets the swap run in expand', () => {
    const sql = transitions.renameTableWithAlias('hosts', 'machines');
    expect(sql).toEqual([
      "CREATE OR REPLACE VIEW `machines` AS SELECT * FROM `hosts` WHERE 'dbtide:alias' IS NOT NULL",
      // The condition marks the view as dbtide's alias: introspection knows it by that alone.
      "CREATE OR REPLACE VIEW `_dbtide_alias_hosts` AS SELECT * FROM `machines` WHERE 'dbtide:alias' IS NOT NULL",
      // What a rollback stopped before its last statement leaves (restoreTableName).
      'DROP VIEW IF EXISTS `_dbtide_renamed_hosts`',
      'RENAME TABLE `machines` TO `_dbtide_renamed_hosts`, `hosts` TO `machines`, `_dbtide_alias_hosts` TO `hosts`',
    ]);
    expect(() => guardStep('expand', sql, mysqlStatements)).not.toThrow();
    expect(transitions.dropAlias('hosts')).toEqual(['DROP VIEW IF EXISTS `_dbtide_renamed_hosts`, `hosts`']);
  });

  it('a rollback trades the alias and the table back in one statement, then drops the view', () => {
    expect(transitions.restoreTableName('hosts', 'machines')).toEqual([
      'DROP VIEW IF EXISTS `_dbtide_renamed_hosts`',
      'RENAME TABLE `hosts` TO `_dbtide_renamed_hosts`, `machines` TO `hosts`',
      'DROP VIEW IF EXISTS `_dbtide_renamed_hosts`',
    ]);
  });

  it('the guard refuses a swap that does not leave the old name over the same rows', () => {
    const [byName, alias] = transitions.renameTableWithAlias('hosts', 'machines');
    // The alias reads something else, or the swap puts another object under the old name.
    expect(() => guardStep('expand', [byName!, 'CREATE VIEW `_dbtide_alias_hosts` AS SELECT * FROM `other`', 'RENAME TABLE `machines` TO `x`, `hosts` TO `machines`, `_dbtide_alias_hosts` TO `hosts`'], mysqlStatements)).toThrow(/unknown/);
    expect(() => guardStep('expand', [byName!, alias!, 'RENAME TABLE `machines` TO `x`, `hosts` TO `machines`, `other` TO `hosts`'], mysqlStatements)).toThrow(/unknown/);
    expect(() => guardStep('expand', ['RENAME TABLE `machines` TO `x`, `hosts` TO `machines`, `_dbtide_alias_hosts` TO `hosts`'], mysqlStatements)).toThrow(/unknown/);
  });
});

describe('mysql transitions: expressions read the row from NEW', () => {
  it.each([
    ["CONCAT(first_name, ' ', last_name)", 'NEW.`first_name`, NEW.`last_name`'],
    ['`first name` + `end`', 'NEW.`first name`, NEW.`end`'],
    ['t.a + NEW.b + db.f(c)', 'NEW.`c`'],
    ["'a''b?' + \"c\" + x'0F' + _utf8mb4'x' + N'y' + DATE '2020-01-01' + 0x1F + 1e5 + .5 + @v + @@sql_mode", ''],
    ['CAST(`score` AS SIGNED) + CAST(x AS CHAR CHARACTER SET utf8mb4) + CAST(y AS UNSIGNED INTEGER)', 'NEW.`score`, NEW.`x`, NEW.`y`'],
    ['CONVERT(a, SIGNED) + CONVERT(b USING utf8mb4) COLLATE utf8mb4_bin', 'NEW.`a`, NEW.`b`'],
    ['DATE_ADD(d, INTERVAL n DAY) + INTERVAL 1 HOUR', 'NEW.`d`, NEW.`n`'],
    ['EXTRACT(YEAR FROM d) + TIMESTAMPDIFF(DAY, a, b)', 'NEW.`d`, NEW.`a`, NEW.`b`'],
    ["CASE WHEN a > 0 THEN b WHEN c THEN 'x' ELSE NULL END", 'NEW.`a`, NEW.`b`, NEW.`c`'],
    ["a IS NOT UNKNOWN AND b IS NULL OR c LIKE 'x' ESCAPE '!' OR d SOUNDS LIKE e OR f MEMBER OF (g)", 'NEW.`a`, NEW.`b`, NEW.`c`, NEW.`d`, NEW.`e`, NEW.`f`, NEW.`g`'],
    ['NOT a XOR b DIV c MOD BINARY d', 'NEW.`a`, NEW.`b`, NEW.`c`, NEW.`d`'],
    ["TRIM(LEADING 'x' FROM s) + CURRENT_TIMESTAMP + UTC_TIMESTAMP(6)", 'NEW.`s`'],
    ['(SELECT c.code FROM cities AS c JOIN regions r ON r.id = c.region_id WHERE c.id = city_id LIMIT 1)', 'NEW.`city_id`'],
    ["j->>'$.a' -- a comment\n + k /* another */", 'NEW.`j`, NEW.`k`'],
  ])('%s reads %s', (expression, columns) => {
    const { sql } = rowExpression(expression);
    expect((sql.match(/NEW\.`(?:[^`]|``)+`/g) ?? []).join(', ')).toBe(columns);
  });

  it('keeps the rest of the text, drops comments, and lists the columns read', () => {
    expect(rowExpression("DATE_ADD(d, INTERVAL 1 DAY) -- next day\n")).toEqual({ sql: 'DATE_ADD(NEW.`d`, INTERVAL 1 DAY)', columns: ['d'] });
    expect(rowExpression('`a``b` + t.c').columns).toEqual(['a`b']);
  });
});
