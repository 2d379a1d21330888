import { describe, expect, it } from 'vitest';
import { MINIMUM, mysqlCapabilities, parseVersion } from '../../dialects/mysql/capabilities.js';
import { defaultSql, indexKey, literal, mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { statementText } from '../support/statement-text.js';
import { mysqlRuntime } from '../../dialects/mysql/runtime.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { guardStatement } from '../../src/execute/statement-guard.js';
import { columnKey, readIndexKey, readIndexKeys } from '../../src/model/index-entry.js';
import type { ForeignKeyModel } from '../../src/model/schema-model.js';
import { T as BASE, column as col, idColumn, index, table } from '../support/model-builders.js';
import type { ColumnType } from '../../src/model/column-type.js';

/** The compiler's SQL text; its locks are tested where the plan states them. */
const sql = statementText(mysqlCompiler);

const T = { ...BASE, smallint: { kind: 'smallint' } as ColumnType, boolean: { kind: 'boolean' } as ColumnType, timestamp: { kind: 'timestamp', withTimeZone: false } as ColumnType };

describe('mysqlCompiler: types, literals and keys', () => {
  it.each([
    [T.int, 'int'],
    [T.bigint, 'bigint'],
    [T.smallint, 'smallint'],
    [T.text, 'text'],
    [T.boolean, 'tinyint(1)'],
    [T.uuid, 'char(36)'],
    [{ kind: 'json' } as const, 'json'],
    [{ kind: 'binary' } as const, 'longblob'],
    [{ kind: 'real' } as const, 'float'],
    [{ kind: 'double' } as const, 'double'],
    [T.varchar(36), 'varchar(36)'],
    [T.timestamp, 'datetime(6)'],
    [T.timestamptz, 'timestamp(6)'],
    [T.numeric(10, 2), 'decimal(10,2)'],
    [{ kind: 'numeric', precision: null, scale: null } as const, 'decimal(65,30)'],
    [{ kind: 'native', sql: "enum('a','b')" } as const, "enum('a','b')"],
  ])('%j is %s', (type, expected) => {
    expect(sql.columnType(type)).toBe(expected);
  });

  it('quotes names with backticks and escapes quotes and backslashes in literals', () => {
    expect(sql.quote('a`b')).toBe('`a``b`');
    expect(literal("it's C:\\")).toBe("'it''s C:\\\\'");
  });

  it.each([
    ['email', '`email`'],
    ['name(10)', '`name`(10)'],
    ['created_at DESC', '`created_at` DESC'],
    ['lower(email)', '(lower(email))'],
  ])('index key %s', (key, expected) => {
    expect(indexKey(readIndexKey(key, []))).toBe(expected);
  });

  it.each([
    [{ kind: 'literal', value: 'x' } as const, undefined, "'x'"],
    [{ kind: 'literal', value: 0 } as const, undefined, '0'],
    [{ kind: 'literal', value: true } as const, undefined, 'TRUE'],
    [{ kind: 'sql', expression: 'CURRENT_TIMESTAMP' } as const, T.timestamp, 'CURRENT_TIMESTAMP(6)'],
    [{ kind: 'sql', expression: 'now()' } as const, T.timestamptz, 'CURRENT_TIMESTAMP(6)'],
    [{ kind: 'sql', expression: 'uuid()' } as const, T.uuid, '(uuid())'],
  ])('default %j', (value, type, expected) => {
    expect(defaultSql(value, type)).toBe(expected);
  });
});

describe('mysqlCompiler: every ALTER states its algorithm and lock', () => {
  const users = 'users';
  it.each([
    [sql.addColumn(users, col('n', T.int, { nullable: false, default: { kind: 'literal', value: 0 } })), 'ALTER TABLE `users` ADD COLUMN `n` int NOT NULL DEFAULT 0, ALGORITHM=INSTANT, LOCK=DEFAULT'],
    [sql.addColumn(users, col('n', T.bigint, { nullable: false, identity: 'by-default' })), 'ALTER TABLE `users` ADD COLUMN `n` bigint NOT NULL AUTO_INCREMENT, ALGORITHM=INSTANT, LOCK=DEFAULT'],
    [sql.dropColumn(users, 'old'), 'ALTER TABLE `users` DROP COLUMN `old`, ALGORITHM=INSTANT, LOCK=DEFAULT'],
    [sql.alterColumnType(users, col('n', T.bigint), { inPlace: false }), 'ALTER TABLE `users` MODIFY COLUMN `n` bigint NULL, ALGORITHM=COPY, LOCK=SHARED'],
    [sql.alterColumnType(users, col('s', T.varchar(60)), { inPlace: true }), 'ALTER TABLE `users` MODIFY COLUMN `s` varchar(60) NULL, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.setDefault(users, col('s', T.text, { default: { kind: 'literal', value: 'a' } })), "ALTER TABLE `users` ALTER COLUMN `s` SET DEFAULT 'a', ALGORITHM=INSTANT, LOCK=DEFAULT"],
    [sql.dropDefault(users, 's'), 'ALTER TABLE `users` ALTER COLUMN `s` DROP DEFAULT, ALGORITHM=INSTANT, LOCK=DEFAULT'],
    [sql.setNotNull(users, col('email', T.varchar(255), { default: { kind: 'literal', value: '' } }), { provenByCheck: false }), "ALTER TABLE `users` MODIFY COLUMN `email` varchar(255) NOT NULL DEFAULT '', ALGORITHM=INPLACE, LOCK=NONE"],
    [sql.dropNotNull(users, col('email', T.varchar(255), { nullable: false })), 'ALTER TABLE `users` MODIFY COLUMN `email` varchar(255) NULL, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.createIndex(users, index('users_email_idx', ['email', 'name(8)']), readIndexKeys(['email', 'name(8)'], []), { online: true }), 'ALTER TABLE `users` ADD INDEX `users_email_idx` (`email`, `name`(8)), ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.createIndex(users, index('users_email_uidx', ['email'], { unique: true }), [columnKey('email')], { online: true }), 'ALTER TABLE `users` ADD UNIQUE INDEX `users_email_uidx` (`email`), ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.createIndex(users, index('users_bio_ft', ['bio'], { using: 'fulltext' }), [columnKey('bio')], { online: false }), 'ALTER TABLE `users` ADD FULLTEXT INDEX `users_bio_ft` (`bio`), ALGORITHM=INPLACE, LOCK=SHARED'],
    [sql.dropIndex(users, 'users_email_idx', { online: true }), 'ALTER TABLE `users` DROP INDEX `users_email_idx`, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.addPrimaryKey(users, { name: 'users_pkey', columns: ['id'] }, { usingIndex: null }), 'ALTER TABLE `users` ADD PRIMARY KEY (`id`), ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.addUnique(users, { name: 'users_email_key', columns: ['email'] }, { usingIndex: null }), 'ALTER TABLE `users` ADD CONSTRAINT `users_email_key` UNIQUE (`email`), ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.addCheck(users, { name: 'c', expression: 'n > 0', validated: true }, { validate: true }), 'ALTER TABLE `users` ADD CONSTRAINT `c` CHECK (n > 0), ALGORITHM=COPY, LOCK=SHARED'],
    [sql.dropConstraint(users, 'users_email_key', 'unique'), 'ALTER TABLE `users` DROP INDEX `users_email_key`, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.dropConstraint(users, 'fk', 'foreign-key'), 'ALTER TABLE `users` DROP FOREIGN KEY `fk`, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.dropConstraint(users, 'c', 'check'), 'ALTER TABLE `users` DROP CONSTRAINT `c`, ALGORITHM=INPLACE, LOCK=NONE'],
    [sql.renameColumn(users, 'a', 'b'), 'ALTER TABLE `users` RENAME COLUMN `a` TO `b`, ALGORITHM=INSTANT, LOCK=DEFAULT'],
    [sql.renameIndex(users, 'a', 'b'), 'ALTER TABLE `users` RENAME INDEX `a` TO `b`, ALGORITHM=INPLACE, LOCK=NONE'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
    expect(actual).toMatch(/, ALGORITHM=(INSTANT|INPLACE|COPY), LOCK=(DEFAULT|NONE|SHARED)$/);
  });

  it('adds a foreign key in place with the checks off, after the orphan precheck', () => {
    const fk: ForeignKeyModel = { name: 'o_fk', columns: ['user_id'], referencedTable: 'users', referencedColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action', validated: true };
    expect(sql.addForeignKey('orders', fk, { validate: true })).toEqual([
      'SET foreign_key_checks = 0',
      'ALTER TABLE `orders` ADD CONSTRAINT `o_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE',
      'SET foreign_key_checks = 1',
    ]);
  });

  it('creates a table with its keys and checks', () => {
    const t = table('t', {
      columns: [idColumn({ identity: 'by-default' }), col('at', T.timestamp, { default: { kind: 'sql', expression: 'CURRENT_TIMESTAMP' } })],
      uniques: [{ name: 't_at_key', columns: ['at'] }],
      checks: [{ name: 't_c', expression: 'id > 0', validated: true }],
    });
    expect(sql.createTable(t)).toBe(
      'CREATE TABLE `t` (\n  `id` bigint NOT NULL AUTO_INCREMENT,\n  `at` datetime(6) NULL DEFAULT CURRENT_TIMESTAMP(6),\n' +
        '  PRIMARY KEY (`id`),\n  CONSTRAINT `t_at_key` UNIQUE (`at`),\n  CONSTRAINT `t_c` CHECK (id > 0)\n)',
    );
  });

  it('casts to the few types CAST accepts', () => {
    expect(sql.cast('`n`', T.bigint)).toBe('CAST(`n` AS SIGNED)');
    expect(sql.cast('`n`', T.text)).toBe('CAST(`n` AS CHAR)');
    expect(sql.cast('`n`', T.numeric(12, 2))).toBe('CAST(`n` AS DECIMAL(12,2))');
  });

  it('has no separate validation or invalid index to rebuild: no strategy of its asks for them', () => {
    expect(mysqlCompiler.validateConstraint).toBeUndefined();
    expect(mysqlCompiler.rebuildIndex).toBeUndefined();
  });
});

describe('the statement guard reads MySQL DDL', () => {
  it.each([
    ['ALTER TABLE `t` MODIFY COLUMN `c` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE', 'tightening'],
    ['ALTER TABLE `t` MODIFY COLUMN `c` int NULL, ALGORITHM=INPLACE, LOCK=NONE', 'relaxing'],
    ['ALTER TABLE `t` MODIFY COLUMN `c` bigint NULL, ALGORITHM=COPY, LOCK=SHARED', 'rewrite'],
    ['ALTER TABLE `t` MODIFY COLUMN `c` bigint NULL', 'unknown'],
    ['ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT, LOCK=DEFAULT', 'additive'],
    ['ALTER TABLE `t` ADD FULLTEXT INDEX `f` (`b`), ALGORITHM=INPLACE, LOCK=SHARED', 'additive'],
    ['ALTER TABLE `t` ADD CONSTRAINT `c` CHECK (n > 0), ALGORITHM=COPY, LOCK=SHARED', 'rewrite'],
    ['ALTER TABLE `t` DROP FOREIGN KEY `fk`, ALGORITHM=INPLACE, LOCK=NONE', 'relaxing'],
    ['ALTER TABLE `t` RENAME INDEX `a` TO `b`, ALGORITHM=INPLACE, LOCK=NONE', 'destructive'],
    ['SET foreign_key_checks = 0', 'session'],
  ])('%s is %s', (statement, expected) => {
    expect(mysqlStatements.classify(statement)).toBe(expected);
  });
});

describe('mysqlCapabilities', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'mariadb', [10, 11, 19]],
    ['8.0.36', 'mysql', [8, 0, 36]],
    ['8.4.2-log', 'mysql', [8, 4, 2]],
  ])('reads %s', (version, flavour, numbers) => {
    expect(parseVersion(version)).toEqual({ flavour, numbers });
  });

  it.each(['8.0.28', '5.7.44', '10.4.30-MariaDB', 'abc'])('refuses %s, naming the minimum', (version) => {
    expect(() => mysqlCapabilities(version)).toThrow(/is not supported: dbtide needs (MySQL 8\.0\.29|MariaDB 10\.5\.0) or later/);
  });

  it('describes MariaDB 10.11 and MySQL 8.0.36 alike: no transactional DDL, online keys, blocking checks', () => {
    for (const version of ['10.11.19-MariaDB', '8.0.36']) {
      const caps = mysqlCapabilities(version);
      expect(caps).toMatchObject({
        transactionalDdl: false,
        onlineIndexBuild: true,
        uniqueKey: 'online-key',
        invalidIndex: 'drop-and-create',
        partialIndexes: false,
        constraintAdd: { foreignKey: 'unchecked-after-precheck', check: 'checked-blocking' },
        blockingIndexMethods: ['fulltext', 'spatial'],
      });
    }
    expect(mysqlCapabilities('10.11.19-MariaDB').server).toBe('MariaDB 10.11.19');
    expect(MINIMUM.mysql).toEqual([8, 0, 29]);
  });

  it('makes a large table\'s column NOT NULL through a copy of the table on every server (one atomic rename)', () => {
    expect(['10.11.19-MariaDB', '10.5.20-MariaDB', '8.0.36', '8.4.0'].map((v) => mysqlCapabilities(v).notNull)).toEqual(['table-copy', 'table-copy', 'table-copy', 'table-copy']);
  });

  it('widens a VARCHAR in place only within one length-byte class (utf8mb4)', () => {
    const caps = mysqlCapabilities('8.0.36');
    expect(caps.isMetadataOnlyTypeChange(T.varchar(10), T.varchar(60))).toBe(true);
    expect(caps.isMetadataOnlyTypeChange(T.varchar(60), T.varchar(70))).toBe(false);
    expect(caps.isMetadataOnlyTypeChange(T.varchar(100), T.varchar(200))).toBe(true);
    expect(caps.isMetadataOnlyTypeChange(T.varchar(100), T.varchar(50))).toBe(false);
    expect(caps.isMetadataOnlyTypeChange(T.int, T.bigint)).toBe(false);
  });

  it('takes only constants as instant defaults', () => {
    const caps = mysqlCapabilities('8.0.36');
    expect(['0', "'x'", 'true', '-1.5'].map(caps.isStableDefaultExpression)).toEqual([true, true, true, true]);
    expect(['CURRENT_TIMESTAMP', 'uuid()', '(1 + 1)'].map(caps.isStableDefaultExpression)).toEqual([false, false, false]);
  });
});

describe('mysqlRuntime', () => {
  it('caps both lock waits in whole seconds, and lifts the cap with null', () => {
    expect(mysqlRuntime.lockTimeout(2000, false)).toEqual(['SET SESSION lock_wait_timeout = 2', 'SET SESSION innodb_lock_wait_timeout = 2']);
    expect(mysqlRuntime.lockTimeout(50, true)).toEqual(['SET SESSION lock_wait_timeout = 1', 'SET SESSION innodb_lock_wait_timeout = 1']);
    expect(mysqlRuntime.lockTimeout(null, false)).toEqual(['SET SESSION lock_wait_timeout = 31536000', 'SET SESSION innodb_lock_wait_timeout = 50']);
  });

  it('retries a lock wait timeout and a deadlock (a Galera certification failure is one), by their error numbers', () => {
    expect(mysqlRuntime.isLockTimeout(Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 }))).toBe(true);
    expect(mysqlRuntime.isLockTimeout(Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { errno: 1213 }))).toBe(true);
    expect(mysqlRuntime.isLockTimeout(Object.assign(new Error("Duplicate entry '1' for key 'PRIMARY'"), { errno: 1062 }))).toBe(false);
  });

  it('falls back from INSTANT to INPLACE, LOCK=NONE when the server refuses INSTANT, and to nothing else', () => {
    const instant = 'ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT, LOCK=DEFAULT';
    const refused = Object.assign(new Error('ALGORITHM=INSTANT is not supported'), { errno: 1846 });
    expect(mysqlRuntime.onlineFallback(instant, refused)).toBe('ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INPLACE, LOCK=NONE');
    expect(mysqlRuntime.onlineFallback(instant, Object.assign(new Error('x'), { errno: 1054 }))).toBeNull();
    expect(mysqlRuntime.onlineFallback('ALTER TABLE `t` ADD INDEX `i` (`c`), ALGORITHM=INPLACE, LOCK=NONE', refused)).toBeNull();
  });
});

describe('the statement guard reads MySQL triggers', () => {
  it('takes a trigger body as opaque, and still refuses what follows its END', () => {
    const trigger = "CREATE TRIGGER `t_sync` BEFORE INSERT ON `t` FOR EACH ROW BEGIN IF NEW.`b` IS NULL THEN SET NEW.`b` = NEW.`a`; END IF; END";
    expect(mysqlStatements.classify(trigger)).toBe('additive');
    expect(() => guardStatement('expand', trigger, mysqlStatements)).not.toThrow();
    expect(() => guardStatement('expand', `${trigger}; DROP TABLE x`, mysqlStatements)).toThrow('refused');
  });
});
