/**
 * What a MySQL or MariaDB database holds beyond dbtide's model is reported by introspection,
 * each object with its kind, name, table and what a rebuild would lose; what dbtide makes itself
 * (triggers, alias views, version databases, ledger and shadow tables) and what the model keeps
 * (generated columns, ON UPDATE, ENUM, FULLTEXT) never is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType, renameTable } from '../../src/declaration/transitions.js';
import type { Dialect } from '../../src/dialect.js';
import type { SchemaModel } from '../../src/model/schema-model.js';
import type { UnsupportedObject } from '../../src/model/unsupported.js';
import { mysqlTargets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

/** The same objects on both servers, in the SQL both accept. */
const COMMON = [
  `CREATE TABLE notes (
     id int PRIMARY KEY,
     body varchar(40) CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'what the note says, in the words of whoever wrote it down first',
     secret int INVISIBLE,
     doc json,
     KEY notes_secret (secret) COMMENT 'for audits'
   ) COMMENT 'notes taken by hand'`,
  'CREATE TABLE legacy (id int PRIMARY KEY) ENGINE=MyISAM',
  // The column follows its table's character set: only the table differs from the database.
  'CREATE TABLE latin (id int PRIMARY KEY, name varchar(10)) DEFAULT CHARSET=latin1',
  'CREATE TABLE packed (id int PRIMARY KEY) ROW_FORMAT=COMPRESSED',
  // The server's default row format: a fresh install gets it anyway.
  'CREATE TABLE plain_format (id int PRIMARY KEY) ROW_FORMAT=DYNAMIC',
  `CREATE TABLE events_log (id int, happened date)
     PARTITION BY RANGE (year(happened)) (PARTITION p2000 VALUES LESS THAN (2000), PARTITION pmax VALUES LESS THAN MAXVALUE)`,
  `CREATE TABLE sharded (id int, k int)
     PARTITION BY LIST (id) SUBPARTITION BY HASH (k) SUBPARTITIONS 2 (PARTITION low VALUES IN (1, 2), PARTITION high VALUES IN (3))`,
  // All of it modelled: native types keep the generated column, ON UPDATE and the ENUM.
  `CREATE TABLE modelled (
     id int PRIMARY KEY,
     given varchar(20),
     shout varchar(21) AS (concat(given, '!')) VIRTUAL,
     mood enum('ok','sad'),
     changed timestamp NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP,
     body text,
     FULLTEXT KEY modelled_body (body)
   )`,
  'CREATE VIEW open_notes AS SELECT id, body FROM notes WHERE id > 0',
  'CREATE TRIGGER notes_audit BEFORE UPDATE ON notes FOR EACH ROW SET NEW.body = NEW.body',
  'CREATE PROCEDURE archive_notes(IN before_id int, OUT moved int) SELECT count(*) INTO moved FROM notes WHERE id < before_id',
  "CREATE FUNCTION exclaim(s varchar(20)) RETURNS varchar(21) DETERMINISTIC RETURN concat(s, '!')",
  'CREATE EVENT purge_notes ON SCHEDULE EVERY 1 DAY DO DELETE FROM notes WHERE id < 0',
  "CREATE EVENT remind_once ON SCHEDULE AT '2037-06-01 00:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM notes WHERE id < 0",
  // dbtide's own: its prefix, its ledger, a shadow table of archived rows.
  'CREATE TRIGGER _dbtide_sync_notes BEFORE INSERT ON notes FOR EACH ROW SET NEW.body = NEW.body',
  'CREATE VIEW _dbtide_renamed_notes AS SELECT id FROM notes WHERE id > 1',
  "CREATE TABLE _dbtide_runs (id int PRIMARY KEY) ENGINE=MyISAM COMMENT 'ledger'",
  "CREATE TABLE shadow_notes (id int PRIMARY KEY, dbtide_reason text) ENGINE=MyISAM COMMENT 'dbtide:shadow-of:notes'",
  'CREATE TRIGGER audit_shadow BEFORE INSERT ON shadow_notes FOR EACH ROW SET NEW.id = NEW.id',
];

const MARIADB = [
  'CREATE SEQUENCE invoice_numbers START WITH 100 INCREMENT BY 10',
  'CREATE TABLE prices (id int PRIMARY KEY, amount int) WITH SYSTEM VERSIONING',
  'CREATE INDEX notes_body_idx ON notes (body) IGNORED',
];

const MYSQL = ['CREATE INDEX notes_body_idx ON notes (body) INVISIBLE'];

const found = (kind: string, name: string, table: string | null, detail: unknown): UnsupportedObject =>
  ({ kind, name, table, detail }) as UnsupportedObject;

/** Every object of COMMON and the server's own that dbtide does not model, with what a rebuild loses. */
function expected(server: 'mariadb' | 'mysql'): UnsupportedObject[] {
  const int = '(int|int\\(11\\))';
  const all = [
    found('collation', 'body', 'notes', expect.stringMatching(/^COLLATE latin1_bin \(the table's: utf8mb4_\w+\)$/)),
    found('collation', 'latin', null, expect.stringMatching(/^COLLATE latin1_swedish_ci \(the database's: utf8mb4_\w+\)$/)),
    found('comment', 'notes_secret', 'notes', 'index: for audits'),
    found('engine', 'legacy', null, 'ENGINE=MyISAM'),
    found('event', 'purge_notes', null, 'EVERY 1 DAY, enabled'),
    found('event', 'remind_once', null, 'AT 2037-06-01 00:00:00, disabled'),
    found('function', 'exclaim', null, '(s varchar(20)) returns varchar(21)'),
    found('invisible column', 'secret', 'notes', 'INVISIBLE: SELECT * leaves it out'),
    found('invisible index', 'notes_body_idx', 'notes', `${server === 'mariadb' ? 'IGNORED' : 'INVISIBLE'}: the optimizer does not use it`),
    found('partition', 'p2000', 'events_log', 'VALUES LESS THAN (2000)'),
    found('partition', 'pmax', 'events_log', 'VALUES LESS THAN MAXVALUE'),
    found('partition', 'high', 'sharded', 'VALUES IN (3); subpartitions highsp0, highsp1'),
    found('partition', 'low', 'sharded', 'VALUES IN (1,2); subpartitions lowsp0, lowsp1'),
    found('partitioned table', 'events_log', null, expect.stringMatching(/^PARTITION BY RANGE \(year\(`?happened`?\)\)$/)),
    found('partitioned table', 'sharded', null, expect.stringMatching(/^PARTITION BY LIST \(`?id`?\) SUBPARTITION BY HASH \(`?k`?\)$/)),
    found('procedure', 'archive_notes', null, expect.stringMatching(new RegExp(`^\\(IN before_id ${int}, OUT moved ${int}\\)$`))),
    found('table options', 'packed', null, 'row_format=COMPRESSED'),
    found('trigger', 'notes_audit', 'notes', 'BEFORE UPDATE FOR EACH ROW: SET NEW.body = NEW.body'),
    found('view', 'open_notes', null, expect.stringMatching(/^select `id`,`body` from `notes` where \(?`notes`\.`id` > 0\)?$/)),
  ];
  if (server === 'mariadb') {
    all.push(
      found('sequence', 'invoice_numbers', null, expect.stringMatching(/^start with 100 minvalue 1 maxvalue \d+ increment by 10 cache 1000 nocycle$/)),
      found('system-versioned table', 'prices', null, 'WITH SYSTEM VERSIONING: the server keeps every row version'),
    );
  }
  const order = (o: UnsupportedObject) => `${o.kind}\0${o.table ?? ''}\0${o.name}`;
  return all.sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

const introspect = (db: ScratchDatabase, dialect: Dialect): Promise<SchemaModel> =>
  withConnection(dialect.connect(db.url), (conn) => dialect.introspect(conn));

describe.each(mysqlTargets)('what dbtide does not model on $name', (target) => {
  let db: ScratchDatabase;
  let model: SchemaModel;

  beforeAll(async () => {
    db = await target.create('unsupported');
    await withConnection(target.dialect.connect(db.url), async (conn) => {
      for (const statement of [...COMMON, ...(target.name === 'mariadb' ? MARIADB : MYSQL)]) await conn.query(statement);
      // A version database is another database, whatever it holds.
      await conn.query(`CREATE DATABASE \`${db.name}_v9\``);
      await conn.query(`CREATE TABLE \`${db.name}_v9\`.odd (id int) ENGINE=MyISAM COMMENT 'not the base'`);
      await conn.query(`CREATE VIEW \`${db.name}_v9\`.notes AS SELECT id FROM \`${db.name}\`.notes WHERE id > 0`);
    });
    model = await introspect(db, target.dialect);
  });
  afterAll(() => db?.drop());

  it('reports each object with its kind, name, table and detail, sorted by kind, table and name', () => {
    expect(model.unsupported).toEqual(expected(target.name === 'mariadb' ? 'mariadb' : 'mysql'));
  });

  it("reads the tables as before: the reported objects are kept, dbtide's left out", () => {
    const tables = ['events_log', 'latin', 'legacy', 'modelled', 'notes', 'packed', 'plain_format', 'sharded'];
    expect(Object.keys(model.tables)).toEqual(target.name === 'mariadb' ? [...tables, 'prices'].sort() : tables);
    expect(model.tables.modelled!.columns.map((c) => c.type)).toContainEqual({ kind: 'native', sql: 'timestamp ON UPDATE CURRENT_TIMESTAMP' });
  });

  it('declares table and column comments instead of reporting them; index comments stay reported', () => {
    expect(model.tables.notes!.comment).toBe('notes taken by hand');
    expect(model.tables.notes!.columns.find((c) => c.name === 'body')!.comment).toBe('what the note says, in the words of whoever wrote it down first');
    expect(model.unsupported!.filter((u) => u.kind === 'comment').map((u) => u.name)).toEqual(['notes_secret']);
  });
});

const v1 = defineSchema({
  release: 'v1',
  tables: {
    reviews: { columns: { id: 'int', title: 'varchar(50)', rating: 'varchar(10)' }, primaryKey: ['id'] },
    hosts: { columns: { id: 'int', name: 'varchar(50)' }, primaryKey: ['id'] },
  },
});

/** A shadow column with its triggers, a version database, and an alias view under the old name. */
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    reviews: { columns: { rating: { type: 'int', nullable: false } } },
    machines: { columns: { id: 'int', name: 'varchar(50)' }, primaryKey: ['id'] },
  },
  transitions: [changeType('reviews', 'rating'), renameTable('hosts', 'machines')],
});

describe.each(mysqlTargets)("dbtide's own objects on $name", (target) => {
  let db: ScratchDatabase;
  const url = () => ({ url: db.url });

  beforeAll(async () => {
    db = await target.create('unsupported_own');
    await expand(url(), v1);
    await withConnection(target.dialect.connect(db.url), (c) => c.query("INSERT INTO reviews (id, title, rating) VALUES (1, 'a', '3')"));
  }, 60_000);
  afterAll(() => db?.drop());

  it('are never reported, through expand, migrate and contract', async () => {
    await expand(url(), v2);
    const expanded = await introspect(db, target.dialect);
    // What the window has: the sync triggers, the alias, the version database.
    expect(expanded.owned!.triggers.length).toBeGreaterThan(0);
    expect(expanded.owned!.aliases).toEqual([{ name: 'hosts', table: 'machines' }]);
    const databases = await withConnection(target.dialect.connect(db.url), (c) =>
      c.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${db.name}_v2`]),
    );
    expect(databases).toHaveLength(1);
    expect(expanded.unsupported).toEqual([]);

    // A user's view over exactly one table, as plain as the alias but without dbtide's marker, is the user's.
    await withConnection(target.dialect.connect(db.url), (c) => c.query('CREATE VIEW machines_copy AS SELECT * FROM machines'));
    const withUserView = await introspect(db, target.dialect);
    expect(withUserView.owned!.aliases).toEqual([{ name: 'hosts', table: 'machines' }]);
    expect(withUserView.unsupported!.map((u) => [u.kind, u.name])).toEqual([['view', 'machines_copy']]);
    await withConnection(target.dialect.connect(db.url), (c) => c.query('DROP VIEW machines_copy'));

    await migrate(url(), v2);
    expect((await introspect(db, target.dialect)).unsupported).toEqual([]);
    await contract(url(), v2);
    expect((await introspect(db, target.dialect)).unsupported).toEqual([]);
  });
});
