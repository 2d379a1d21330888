/**
 * The snapshots the "changed nothing" tests compare: stable when nothing changed, different after
 * any change of schema, code or rows, read through the driver from any server version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlDump, postgresDump } from '../support/dumps.js';
import { targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const CHANGES: Record<'postgres' | 'mysql', { setup: string[]; changes: string[] }> = {
  postgres: {
    setup: [
      'CREATE TABLE items (id int PRIMARY KEY, sku text, n serial)',
      "INSERT INTO items (id, sku) VALUES (1, 'a')",
      'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
      'CREATE TRIGGER t BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION f()',
    ],
    changes: [
      "UPDATE items SET sku = 'b'",
      'ALTER TABLE items ALTER COLUMN sku SET NOT NULL',
      "COMMENT ON COLUMN items.sku IS 'x'",
      'CREATE INDEX items_sku ON items (sku)',
      'CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.sku := NEW.sku; RETURN NEW; END $$',
      "SELECT nextval('items_n_seq')",
      'CREATE SCHEMA other',
      'CREATE TABLE other.more (id int)',
      "CREATE TYPE mood AS ENUM ('ok')",
    ],
  },
  mysql: {
    setup: [
      'CREATE TABLE items (id int PRIMARY KEY, sku varchar(20), n int AUTO_INCREMENT UNIQUE)',
      "INSERT INTO items (id, sku) VALUES (1, 'a')",
      'CREATE TRIGGER t BEFORE INSERT ON items FOR EACH ROW SET NEW.sku = NEW.sku',
    ],
    changes: [
      "UPDATE items SET sku = 'b'",
      'ALTER TABLE items MODIFY sku varchar(20) NOT NULL',
      'CREATE INDEX items_sku ON items (sku)',
      'DROP TRIGGER t',
      'CREATE FUNCTION g() RETURNS int DETERMINISTIC RETURN 1',
      'CREATE VIEW v AS SELECT id FROM items',
      "INSERT INTO items (id, sku) VALUES (2, 'c')",
    ],
  },
};

describe.each(targets)('snapshots of $name', (target) => {
  const dump = target.dialect.name === 'mysql' ? mysqlDump : postgresDump;
  const { setup, changes } = CHANGES[target.dialect.name as 'postgres' | 'mysql'];
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await target.create('dumps');
    await withConnection(target.dialect.connect(scratch.url), async (c) => {
      for (const sql of setup) await c.query(sql);
    });
  });
  afterAll(async () => scratch?.drop());

  it('are the same twice over, and differ after each change', async () => {
    let before = await dump(scratch.url);
    expect(await dump(scratch.url)).toBe(before);
    // PGlite reopens its directory for each snapshot: its dialect's changes are covered on PostgreSQL.
    for (const sql of target.name === 'pglite' ? changes.slice(0, 2) : changes) {
      await withConnection(target.dialect.connect(scratch.url), (c) => c.query(sql));
      const after = await dump(scratch.url);
      expect(after, sql).not.toBe(before);
      before = after;
    }
  });
});
