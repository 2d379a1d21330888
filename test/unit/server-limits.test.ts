/** What a declaration asks of a server that it does not have: types, referential actions, nullable keys, name case. */
import { describe, expect, it } from 'vitest';
import { db2Capabilities } from '../../dialects/db2/capabilities.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { emptyTombstones, type DeclaredSchema, type TableModel } from '../../src/model/schema-model.js';
import { refuseServerLimits, serverLimitProblems } from '../../src/plan/server-limits.js';
import type { ColumnType } from '../../src/model/column-type.js';
import type { ColumnSync } from '../../src/model/transition.js';
import { column as col, foreignKey, T, table } from '../support/model-builders.js';

const kind = (k: 'json' | 'smallint' | 'boolean' | 'date' | 'timestamp' | 'real' | 'double'): ColumnType =>
  k === 'timestamp' ? { kind: k, withTimeZone: false } : { kind: k };

const db2 = db2Capabilities('DB2 v11.5.9.0');
const postgres = postgresCapabilities('15.4');
const mysql = mysqlCapabilities('8.0.36');

const declared = (...tables: TableModel[]): DeclaredSchema => ({
  release: 'r1',
  model: { tables: Object.fromEntries(tables.map((t) => [t.name, t])) },
  removed: emptyTombstones(),
  transitions: [],
});

const instances = (uuid: { nullable: boolean }) =>
  table('instances', {
    columns: [col('id', T.int, { nullable: false }), col('uuid', T.varchar(36), uuid)],
    primaryKey: { name: 'instances_pkey', columns: ['id'] },
    uniques: [{ name: 'uniq_instances0uuid', columns: ['uuid'] }],
  });

const consoles = (fk = foreignKey('consoles_instance_uuid_fkey', ['instance_uuid'], 'instances', { referencedColumns: ['uuid'] })) =>
  table('consoles', { columns: [col('instance_uuid', T.varchar(36), { nullable: false })], foreignKeys: [fk] });

describe('Db2: keys over NOT NULL columns only (SQL0542N), and foreign keys to them', () => {
  it('refuses a unique constraint over a nullable column and a foreign key referencing it, naming the column and the fix', () => {
    expect(serverLimitProblems(declared(instances({ nullable: true }), consoles()), db2)).toEqual([
      'tables.instances.uniques.uniq_instances0uuid: column uuid may be NULL; Db2 11.5.9.0 accepts a primary key or unique constraint only over NOT NULL columns: declare instances.uuid notNull (dbtide scan finds the rows to fix first)',
      'tables.consoles.foreignKeys.consoles_instance_uuid_fkey: references instances.uuid, which may be NULL; Db2 11.5.9.0 accepts a foreign key only to a primary key or unique constraint over NOT NULL columns: declare instances.uuid notNull and unique (its NULL and duplicate rows cleaned first: dbtide scan)',
    ]);
  });

  it('accepts them once the column is NOT NULL, as 004-liberty declares it', () => {
    expect(serverLimitProblems(declared(instances({ nullable: false }), consoles()), db2)).toEqual([]);
  });

  it('PostgreSQL and MySQL take a unique key over a nullable column', () => {
    expect(serverLimitProblems(declared(instances({ nullable: true }), consoles()), postgres)).toEqual([]);
    expect(serverLimitProblems(declared(instances({ nullable: true }), consoles()), mysql)).toEqual([]);
  });
});

describe('referential actions', () => {
  const cascading = foreignKey('consoles_instance_uuid_fkey', ['instance_uuid'], 'instances', { referencedColumns: ['uuid'], onUpdate: 'cascade', onDelete: 'set default' });

  it('Db2 takes ON UPDATE NO ACTION or RESTRICT only, and no ON DELETE SET DEFAULT', () => {
    expect(serverLimitProblems(declared(instances({ nullable: false }), consoles(cascading)), db2)).toEqual([
      "tables.consoles.foreignKeys.consoles_instance_uuid_fkey: ON DELETE SET DEFAULT is not accepted by Db2 11.5.9.0 (ON DELETE NO ACTION, RESTRICT, CASCADE, SET NULL only): declare onDelete: 'no action' and do the rest in the application",
      "tables.consoles.foreignKeys.consoles_instance_uuid_fkey: ON UPDATE CASCADE is not accepted by Db2 11.5.9.0 (ON UPDATE NO ACTION, RESTRICT only): declare onUpdate: 'no action' and do the rest in the application",
    ]);
  });

  it('InnoDB refuses SET DEFAULT; PostgreSQL takes every action', () => {
    expect(serverLimitProblems(declared(instances({ nullable: false }), consoles(cascading)), mysql)).toEqual([
      expect.stringMatching(/ON DELETE SET DEFAULT is not accepted by MySQL 8\.0\.36/),
    ]);
    expect(serverLimitProblems(declared(instances({ nullable: false }), consoles(cascading)), postgres)).toEqual([]);
  });
});

describe('Db2 types', () => {
  it.each([
    [T.uuid, /no uuid type: declare native\("CHAR\(36\)"\)/],
    [kind('json'), /no JSON column type: declare text/],
    [T.timestamptz, /no timestamp with a time zone: declare timestamp and store UTC/],
    [{ kind: 'numeric', precision: 38, scale: 2 } as const, /at most 31 digits/],
    [T.varchar(40_000), /at most 32672 bytes/],
    [{ kind: 'numeric', precision: null, scale: null } as const, /no DECIMAL without a precision/],
  ])('refuses %j, saying what to declare instead', (type, message) => {
    const problems = serverLimitProblems(declared(table('events', { columns: [col('v', type)] })), db2);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^tables\\.events\\.columns\\.v: .*${message.source}`))]);
  });

  it('takes BOOLEAN from 11.1.1.1 on, and before it says what to declare instead', () => {
    const flags = declared(table('events', { columns: [col('done', kind('boolean'))] }));
    expect(serverLimitProblems(flags, db2Capabilities('11.1.1.1'))).toEqual([]);
    expect(serverLimitProblems(flags, db2Capabilities('SQL11011'))).toEqual([
      'tables.events.columns.done: Db2 11.1.1 has no BOOLEAN (it arrived in 11.1.1.1): declare smallint with a check (c IN (0, 1)), or upgrade the server',
    ]);
  });

  it('takes the portable types it has', () => {
    const columns = [T.int, T.bigint, kind('smallint'), T.text, kind('boolean'), kind('date'), kind('timestamp'), kind('real'), kind('double'), T.varchar(32672), T.numeric(31, 4)];
    expect(serverLimitProblems(declared(table('events', { columns: columns.map((type, i) => col(`c${i}`, type)) })), db2)).toEqual([]);
  });
});

describe('Db2: CLOB and BLOB can be neither indexed nor compared', () => {
  it('refuses a key, an index or a foreign key over a text column, and a transition reading one; a plain text column is fine', () => {
    const notes = table('notes', {
      columns: [col('id', T.int, { nullable: false }), col('body', T.text, { nullable: false }), col('title', T.text), col('slug', T.varchar(80))],
      primaryKey: { name: 'notes_pkey', columns: ['id'] },
      uniques: [{ name: 'notes_body_key', columns: ['body'] }],
      indexes: [{ name: 'notes_title_idx', columns: ['title', 'lower(slug)'], unique: false, where: null, using: 'btree', include: [], nullsNotDistinct: false, valid: true }],
    });
    const sync: ColumnSync = { kind: 'column-sync', id: 'notes.slug', table: 'notes', trigger: '_dbtide_sync_notes_slug', declaredAs: 'derive', forward: { slug: 'lower(title)' }, backward: {}, retires: [], sources: ['title'], fillOnly: false, swap: null };
    expect(serverLimitProblems({ ...declared(notes), transitions: [sync] }, db2)).toEqual([
      'tables.notes.uniques.notes_body_key: a unique constraint over notes.body is text, which Db2 11.5.9.0 can neither index nor compare: declare it varchar(n) (up to 32672 bytes) instead',
      'tables.notes.indexes.notes_title_idx: an index over notes.title is text, which Db2 11.5.9.0 can neither index nor compare: declare it varchar(n) (up to 32672 bytes) instead',
      'transitions.notes.slug: its dual-write trigger compares old and new values, and notes.title is text, which Db2 11.5.9.0 can neither index nor compare: declare it varchar(n) (up to 32672 bytes) instead, or move the data in a raw SQL step',
    ]);
    expect(serverLimitProblems({ ...declared(notes), transitions: [sync] }, postgres)).toEqual([]);
    expect(serverLimitProblems(declared(table('notes', { columns: [col('body', T.text)] })), db2)).toEqual([]);
  });
});

describe('Db2 name case', () => {
  it('refuses a name declared all in upper case, which would read back in lower case; mixed case is kept quoted', () => {
    const t = table('Events', { columns: [col('ID', T.int), col('createdAt', kind('timestamp')), col('note_1', T.text)] });
    expect(serverLimitProblems(declared(t), db2)).toEqual([
      expect.stringMatching(/^tables\.Events\.columns\.ID: "ID" is all upper case, .* reads back as "id": declare it in lower case/),
    ]);
    expect(serverLimitProblems(declared(t), postgres)).toEqual([]);
  });
});

it('refuses the release with every problem listed, changing nothing', () => {
  expect(() => refuseServerLimits(declared(instances({ nullable: true }), consoles()), db2)).toThrow(
    /^release r1 declares what Db2 11\.5\.9\.0 does not have; nothing was changed:\n {2}tables\.instances\.uniques\.uniq_instances0uuid: .*\n {2}tables\.consoles\.foreignKeys\./,
  );
});
