/**
 * Names that break SQL written without quotes: mixed case (folded by PostgreSQL), spaces, double
 * quotes, backticks, semicolons, accents and reserved words, in tables and columns, through every
 * transition kind with old and new application code writing while the phases run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check, contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType, dataMove, derive, fillColumn, renameColumn, renameTable } from '../../src/declaration/transitions.js';
import type { Dialect } from '../../src/dialect.js';
import { introspectLive, openDatabase, type Database } from '../../src/engine.js';
import { idColumn, T, table } from '../support/model-builders.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';
import { series } from '../support/series.js';

const USER = 'User';
const ORDER = 'order';
const LINES = 'Order "Lines"';
const SOURCE = 'source; data';
const MOVED = 'select';
const PAYLOAD = 'pay`load;';

/** What the dialects spell differently: the words of a name, and whether a move returns its rows. */
const WORDS: Partial<Record<Dialect['name'], { first(q: string): string; last(q: string): string; returning: string }>> = {
  postgres: { first: (c) => `split_part(${c}, ' ', 1)`, last: (c) => `split_part(${c}, ' ', 2)`, returning: ' RETURNING 1' },
  mysql: { first: (c) => `substring_index(${c}, ' ', 1)`, last: (c) => `substring_index(${c}, ' ', -1)`, returning: '' },
};

/** Release 1: what the old application reads and writes. */
const v1 = (q: (name: string) => string) =>
  defineSchema({
    release: 'torture-1',
    tables: {
      [USER]: {
        columns: {
          id: { type: 'int', identity: true },
          userName: 'varchar(50)',
          'with space': 'text',
          'we"ird': 'int',
          'back`tick': 'varchar(40)',
          'semi;colon': 'varchar(40)',
          prénom: 'varchar(40)',
          group: 'varchar(40)',
          select: 'int',
        },
        primaryKey: ['id'],
        indexes: [{ columns: ['back`tick', 'semi;colon DESC'] }, { columns: ['we"ird'], unique: true }],
        checks: [{ expression: `${q('we"ird')} IS NULL OR ${q('we"ird')} >= 0` }],
      },
      [ORDER]: { columns: { id: 'int', 'line;item': 'varchar(40)' }, primaryKey: ['id'], indexes: [{ columns: ['line;item'] }] },
      [SOURCE]: { columns: { id: 'int', [PAYLOAD]: 'text' }, primaryKey: ['id'] },
      [MOVED]: { columns: { id: 'int', [PAYLOAD]: 'text' }, primaryKey: ['id'] },
    },
  });

/** Release 2: one transition of every kind, each over hostile names. */
const v2 = (dialect: Dialect) => {
  const q = dialect.compiler.quote;
  const words = WORDS[dialect.name]!;
  const full = q('full name');
  const moveSql = (limit: string) =>
    `INSERT INTO ${q(MOVED)} (${q('id')}, ${q(PAYLOAD)}) SELECT s.${q('id')}, s.${q(PAYLOAD)} FROM ${q(SOURCE)} s ` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${q(MOVED)} m WHERE m.${q('id')} = s.${q('id')}) ORDER BY s.${q('id')} LIMIT ${limit}${words.returning}`;
  return defineSchema({
    release: 'torture-2',
    extends: v1(q),
    tables: {
      [USER]: {
        columns: {
          displayName: 'varchar(50)',
          'full name': { type: 'varchar(81)', nullable: false },
          select: 'bigint',
          'fill"ed': { type: 'varchar(40)', nullable: false },
        },
      },
      [LINES]: { columns: { id: 'int', 'line;item': 'varchar(40)' }, primaryKey: ['id'], indexes: [{ columns: ['line;item'] }] },
    },
    transitions: [
      renameColumn(USER, 'userName', 'displayName'),
      derive(USER, {
        forward: { 'full name': `concat(${q('prénom')}, ' ', ${q('group')})` },
        backward: { prénom: words.first(full), group: words.last(full) },
        retires: ['prénom', 'group'],
      }),
      changeType(USER, 'select'),
      fillColumn(USER, 'fill"ed', `coalesce(${q('with space')}, 'none')`),
      renameTable(ORDER, LINES),
      dataMove('copy "source; data"', async ({ query, param, batchSize }) => {
        const rows = await query<{ n?: unknown }>(moveSql(param(1)), [batchSize]);
        const moved = dialect.name === 'postgres' ? rows.length : Number(rows[0]?.n ?? 0);
        return { found: moved, done: moved < batchSize };
      }),
    ],
  });
};

interface Row {
  display: string;
  full: string;
  select: number;
  filled: string;
}

/** The User table as writers insert into it: read back by its generated key. */
const users = table(USER, { columns: [idColumn({ type: T.int, identity: 'by-default' })] });

/** Writes as each release's application does, remembering what every row must hold at the end. */
class Writers {
  readonly expected = new Map<number, Row>();
  private n = 0;
  /** The session of the current round. */
  db!: Database;

  private get q() {
    return this.db.dialect.compiler.quote;
  }

  private p(i: number) {
    return this.db.dialect.runtime.param(i);
  }

  private async insert(row: Record<string, unknown>): Promise<number> {
    return Number((await this.db.dialect.runtime.insertRow(this.db.conn, users, row)).id);
  }

  async old(): Promise<void> {
    const { q } = this;
    for (let i = 0; i < 3; i++, this.n++) {
      const space = i === 0 ? null : `sp ${this.n}`;
      const id = await this.insert({
        userName: `old${this.n}`, prénom: `Zoé${this.n}`, group: `grp${this.n}`, select: this.n, 'with space': space,
        'we"ird': 1000 + this.n, 'back`tick': `b${this.n}`, 'semi;colon': `s;${this.n}`,
      });
      this.expected.set(id, { display: `old${this.n}`, full: `Zoé${this.n} grp${this.n}`, select: this.n, filled: space ?? 'none' });
      await this.db.conn.query(`INSERT INTO ${q(ORDER)} (${q('id')}, ${q('line;item')}) VALUES (${this.p(1)}, ${this.p(2)})`, [1000 + this.n, `line ${this.n}`]);
    }
    const [id, row] = [...this.expected].at(-1)!;
    await this.db.conn.query(
      `UPDATE ${q(USER)} SET ${q('userName')} = ${this.p(1)}, ${q('prénom')} = ${this.p(2)}, ${q('select')} = ${q('select')} + 1 WHERE ${q('id')} = ${this.p(3)}`,
      [`${row.display}!`, 'Émile', id],
    );
    this.expected.set(id, { ...row, display: `${row.display}!`, full: `Émile ${row.full.split(' ')[1]}`, select: row.select + 1 });
  }

  async new(): Promise<void> {
    const { q } = this;
    for (let i = 0; i < 3; i++, this.n++) {
      const id = await this.insert({
        displayName: `new${this.n}`, 'full name': `Anaïs grp${this.n}`, select: 500 + this.n, 'fill"ed': `f;${this.n}`,
        'with space': null, 'we"ird': 1000 + this.n,
      });
      this.expected.set(id, { display: `new${this.n}`, full: `Anaïs grp${this.n}`, select: 500 + this.n, filled: `f;${this.n}` });
      await this.db.conn.query(`INSERT INTO ${q(LINES)} (${q('id')}, ${q('line;item')}) VALUES (${this.p(1)}, ${this.p(2)})`, [1000 + this.n, `line ${this.n}`]);
    }
    const [id, row] = [...this.expected].at(-1)!;
    await this.db.conn.query(
      `UPDATE ${q(USER)} SET ${q('displayName')} = ${this.p(1)}, ${q('full name')} = ${this.p(2)} WHERE ${q('id')} = ${this.p(3)}`,
      [`${row.display}?`, 'Jean grp', id],
    );
    this.expected.set(id, { ...row, display: `${row.display}?`, full: 'Jean grp' });
    // Old code reads the row new code wrote, through the backward expressions.
    const [back] = await this.db.conn.query<Record<string, unknown>>(
      `SELECT ${q('userName')} AS u, ${q('prénom')} AS p, ${q('group')} AS g FROM ${q(USER)} WHERE ${q('id')} = ${this.p(1)}`,
      [id],
    );
    expect(back).toEqual({ u: `${row.display}?`, p: 'Jean', g: 'grp' });
  }
}

describe.each(targets)('hostile identifiers on $name', (target) => {
  const release2 = v2(target.dialect);
  const release1 = v1(target.dialect.compiler.quote);
  let scratch: ScratchDatabase;
  let t: Target;

  beforeEach(async () => {
    scratch = await target.create('torture');
    t = { url: scratch.url };
  });
  afterEach(async () => {
    await scratch.drop();
  });

  /** PGlite takes one connection at a time, so the application's session closes around each phase. */
  const session = async <R>(work: (db: Database) => Promise<R>): Promise<R> => {
    const db = await openDatabase(scratch.url);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };

  it('every transition kind runs expand, migrate and contract with old and new writers, and the schema ends as declared', async () => {
    await expand(t, release1);
    await contract(t, release1);
    const q = target.dialect.compiler.quote;
    await session(async ({ conn, dialect }) => {
      await conn.query(
        `INSERT INTO ${q(USER)} (${['userName', 'prénom', 'group', 'select', 'with space', 'we"ird'].map(q).join(', ')}) ` +
          `SELECT concat('seed', g), concat('Zoé', g), concat('grp', g), g, CASE WHEN g % 2 = 0 THEN NULL ELSE concat('sp', g) END, g FROM ${series(dialect, 20)} ORDER BY g`,
      );
      await conn.query(`INSERT INTO ${q(ORDER)} (${q('id')}, ${q('line;item')}) SELECT g, concat('line', g) FROM ${series(dialect, 5)}`);
      await conn.query(`INSERT INTO ${q(SOURCE)} (${q('id')}, ${q(PAYLOAD)}) SELECT g, concat('payload ', g) FROM ${series(dialect, 7)}`);
    });
    const seeded = (g: number): Row => ({ display: `seed${g}`, full: `Zoé${g} grp${g}`, select: g, filled: g % 2 === 0 ? 'none' : `sp${g}` });

    await expand(t, release2);
    expect((await check(t, release2)).next).toBe('migrate');
    const writers = new Writers();
    const round = () =>
      session(async (db) => {
        writers.db = db;
        await writers.old();
        await writers.new();
      });
    await round();
    await migrate(t, release2);
    await round();
    await contract(t, release2);

    expect(await check(t, release2)).toMatchObject({ next: null, drift: [] });
    expect((await planChanges(t, release2)).plan.steps).toEqual([]);
    await session(async (db) => {
      const rows = await db.conn.query<Record<string, unknown>>(
        `SELECT ${q('id')} AS id, ${q('displayName')} AS display, ${q('full name')} AS ${q('full')}, ${q('select')} AS s, ${q('fill"ed')} AS f ` +
          `FROM ${q(USER)} ORDER BY ${q('id')}`,
      );
      expect(rows).toHaveLength(20 + writers.expected.size);
      for (const r of rows) {
        const id = Number(r.id);
        expect({ display: r.display, full: r.full, select: Number(r.s), filled: r.f }).toEqual(writers.expected.get(id) ?? seeded(id));
      }
      const live = await introspectLive(db);
      expect(Object.keys(live.tables).sort()).toEqual([LINES, MOVED, SOURCE, USER].sort());
      expect(live.tables[USER]!.columns.map((c) => c.name).sort()).toEqual(
        ['back`tick', 'displayName', 'fill"ed', 'full name', 'id', 'select', 'semi;colon', 'we"ird', 'with space'].sort(),
      );
      expect(live.owned).toMatchObject({ triggers: [], aliases: [] });
      const [lines] = await db.conn.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${q(LINES)}`);
      expect(Number(lines!.n)).toBe(5 + 12);
      const moved = await db.conn.query<{ id: unknown; v: unknown }>(`SELECT ${q('id')} AS id, ${q(PAYLOAD)} AS v FROM ${q(MOVED)} ORDER BY ${q('id')}`);
      expect(moved.map((m) => [Number(m.id), m.v])).toEqual(Array.from({ length: 7 }, (_, i) => [i + 1, `payload ${i + 1}`]));
    });
  });
});
