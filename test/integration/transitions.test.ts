import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check, contract, expand, migrate, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType, dataMove, derive, fillColumn, renameColumn, renameTable } from '../../src/declaration/transitions.js';
import type { Connection } from '../../src/dialect.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { postgresTargets, type ScratchDatabase } from '../support/scratch-databases.js';

/** Release 1: what the old application version reads and writes. */
const v1 = defineSchema({
  release: 'v1',
  tables: {
    people: {
      columns: {
        id: { type: 'int', identity: true },
        first_name: 'varchar(50)',
        last_name: 'varchar(50)',
        nick: 'varchar(50)',
        score: 'int',
        city: 'text',
      },
      primaryKey: ['id'],
    },
    hosts: { columns: { id: 'int', hostname: 'text' }, primaryKey: ['id'] },
    audit: { columns: { id: 'int', note: 'text' }, primaryKey: ['id'] },
    notes: { columns: { id: 'int', body: 'text' }, primaryKey: ['id'] },
  },
});

/** Release 2 declares one transition of every kind. */
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    people: {
      columns: {
        full_name: { type: 'varchar(101)', nullable: false },
        nickname: 'varchar(50)',
        score: 'bigint',
        city_code: { type: 'varchar(3)', nullable: false },
      },
    },
    machines: { columns: { id: 'int', hostname: 'text' }, primaryKey: ['id'] },
  },
  transitions: [
    renameColumn('people', 'nick', 'nickname'),
    derive('people', {
      forward: { full_name: "first_name || ' ' || last_name" },
      backward: { first_name: "split_part(full_name, ' ', 1)", last_name: "split_part(full_name, ' ', 2)" },
      retires: ['first_name', 'last_name'],
    }),
    changeType('people', 'score'),
    fillColumn('people', 'city_code', "upper(left(coalesce(city, 'zzz'), 3))"),
    renameTable('hosts', 'machines'),
    dataMove('copy audit notes', async ({ query, param, batchSize }) => {
      const moved = await query(
        `INSERT INTO notes (id, body) SELECT a.id, a.note FROM audit a
          WHERE NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = a.id) ORDER BY a.id LIMIT ${param(1)} RETURNING id`,
        [batchSize],
      );
      return { found: moved.length, done: moved.length < batchSize };
    }),
  ],
});

interface Person {
  full: string;
  nick: string;
  score: number;
}

/**
 * Writes as each application version does: the old one knows first/last/nick/score(int)/hosts,
 * the new one full_name/nickname/score/machines. Every write is remembered as what the row must
 * hold at the end.
 */
class Writers {
  readonly expected = new Map<number, Person>();
  /** Rows each version inserted so far (one host or machine per person). */
  private n = 0;
  conn!: Connection;

  async old(round: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const [first, last, nick, score] = [`Old${round}${i}`, `Writer${this.n}`, `o${this.n}`, this.n * 7];
      const [row] = await this.conn.query<{ id: number }>(
        'INSERT INTO people (first_name, last_name, nick, score, city) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [first, last, nick, score, i % 2 ? 'berlin' : null],
      );
      this.expected.set(row!.id, { full: `${first} ${last}`, nick, score });
      await this.conn.query('INSERT INTO hosts (id, hostname) VALUES ($1, $2)', [1000 + this.n, `h${this.n}`]);
      this.n++;
    }
    // Old code edits rows whichever version wrote them.
    for (const id of [...this.expected.keys()].slice(0, 3)) {
      const p = this.expected.get(id)!;
      const first = `Edited${round}`;
      const last = p.full.split(' ')[1]!;
      await this.conn.query('UPDATE people SET first_name = $1, nick = $2, score = score + 1 WHERE id = $3', [first, `${p.nick}x`, id]);
      this.expected.set(id, { full: `${first} ${last}`, nick: `${p.nick}x`, score: p.score + 1 });
    }
    await this.conn.query("UPDATE hosts SET hostname = hostname || '-old' WHERE id = 1000");
  }

  async new(round: string): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const [full, nick, score] = [`New${round}${i} Writer${this.n}`, `n${this.n}`, this.n * 11];
      const [row] = await this.conn.query<{ id: number }>(
        'INSERT INTO people (full_name, nickname, score, city, city_code) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [full, nick, score, 'paris', 'PAR'],
      );
      this.expected.set(row!.id, { full, nick, score });
      await this.conn.query('INSERT INTO machines (id, hostname) VALUES ($1, $2)', [1000 + this.n, `m${this.n}`]);
      this.n++;
    }
    for (const id of [...this.expected.keys()].slice(-4, -1)) {
      const p = this.expected.get(id)!;
      const full = `Renamed${round} ${p.full.split(' ')[1]}`;
      await this.conn.query('UPDATE people SET full_name = $1, nickname = $2 WHERE id = $3', [full, `${p.nick}y`, id]);
      this.expected.set(id, { full, nick: `${p.nick}y`, score: p.score });
    }
  }

  /** Old code reads what new code wrote (through the backward expressions and the alias view). */
  async oldReadsNewWrites(): Promise<void> {
    const [newest] = await this.conn.query<{ id: number; first_name: string; last_name: string; nick: string }>(
      'SELECT id, first_name, last_name, nick FROM people ORDER BY id DESC LIMIT 1',
    );
    const p = this.expected.get(newest!.id)!;
    expect(`${newest!.first_name} ${newest!.last_name}`).toBe(p.full);
    expect(newest!.nick).toBe(p.nick);
    const [host] = await this.conn.query<{ n: string }>('SELECT count(*) AS n FROM hosts');
    expect(Number(host!.n)).toBe(50 + this.n);
  }
}

describe.each(postgresTargets)('transitions on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database | undefined;
  let t: Target;

  beforeEach(async () => {
    scratch = await target.create('transitions');
    t = { url: scratch.url };
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
    await scratch.drop();
  });

  /** The embedded database takes one connection at a time, so the writers' session closes around each phase. */
  const withWriters = async <T>(work: (conn: Connection) => Promise<T>): Promise<T> => {
    db = await openDatabase(scratch.url);
    try {
      return await work(db.conn);
    } finally {
      await db.close();
      db = undefined;
    }
  };

  async function seedRelease1(rows: number): Promise<void> {
    await expand(t, v1);
    await contract(t, v1);
    await withWriters(async (conn) => {
      await conn.query(
        `INSERT INTO people (first_name, last_name, nick, score, city)
         SELECT 'First' || g, 'Last' || g, 'nick' || g, g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'rome' END FROM generate_series(1, ${rows}) g`,
      );
      await conn.query(`INSERT INTO hosts (id, hostname) SELECT g, 'host' || g FROM generate_series(1, 50) g`);
      await conn.query(`INSERT INTO audit (id, note) SELECT g, 'note ' || g FROM generate_series(1, 2345) g`);
    });
  }

  it('every transition kind goes through expand, migrate and contract with old and new writers live', async () => {
    await seedRelease1(3000);
    const writers = { current: undefined as Writers | undefined };
    const round = async (label: string) =>
      withWriters(async (conn) => {
        const w = (writers.current ??= new Writers());
        w.conn = conn;
        await w.old(label);
        await w.new(label);
        await w.oldReadsNewWrites();
      });

    await expand(t, v2);
    expect((await check(t, v2)).next).toBe('migrate');
    await round('a');
    await migrate(t, v2, { backfill: { initialBatch: 500, targetBatchMs: 50 } });
    expect((await check(t, v2)).next).toBe('contract');
    await round('b');
    await contract(t, v2);
    expect(await check(t, v2)).toMatchObject({ next: null, drift: 0 });

    await withWriters(async (conn) => {
      const rows = await conn.query<{ id: number; full_name: string; nickname: string; score: string; city: string | null; city_code: string }>(
        'SELECT id, full_name, nickname, score, city, city_code FROM people ORDER BY id',
      );
      expect(rows).toHaveLength(3000 + writers.current!.expected.size);
      for (const r of rows) {
        const want = writers.current!.expected.get(r.id);
        if (want) expect({ full: r.full_name, nick: r.nickname, score: Number(r.score) }).toEqual(want);
        else expect({ full: r.full_name, nick: r.nickname, score: Number(r.score) }).toEqual({ full: `First${r.id} Last${r.id}`, nick: `nick${r.id}`, score: r.id });
        if (r.city_code !== 'PAR') expect(r.city_code).toBe((r.city ?? 'zzz').slice(0, 3).toUpperCase());
      }
      const [types] = await conn.query<{ score_type: string; nullable: string }>(
        `SELECT format_type(a.atttypid, a.atttypmod) AS score_type,
                (SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute WHERE attrelid = 'people'::regclass AND attnum > 0 AND NOT attisdropped AND NOT attnotnull) AS nullable
           FROM pg_attribute a WHERE a.attrelid = 'people'::regclass AND a.attname = 'score'`,
      );
      expect(types).toEqual({ score_type: 'bigint', nullable: 'city,nickname,score' });
      const [left] = await conn.query<{ triggers: string; views: string }>(
        `SELECT (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal) AS triggers,
                (SELECT count(*) FROM pg_views WHERE schemaname = 'public') AS views`,
      );
      expect(left).toEqual({ triggers: '0', views: '0' });
      const [machines] = await conn.query<{ n: string; edited: string }>(
        "SELECT count(*) AS n, count(*) FILTER (WHERE hostname = 'h0-old-old') AS edited FROM machines",
      );
      expect(machines).toEqual({ n: '70', edited: '1' });
      const [notes] = await conn.query<{ n: string; wrong: string }>(
        'SELECT count(*) AS n, count(*) FILTER (WHERE n.body IS DISTINCT FROM a.note) AS wrong FROM notes n JOIN audit a USING (id)',
      );
      expect(notes).toEqual({ n: '2345', wrong: '0' });
    });
  });

  it('contract refuses while a new column disagrees with its forward expression, and --force records why', async () => {
    await seedRelease1(200);
    await expand(t, v2);
    await migrate(t, v2);
    // A write that slipped past the trigger (as a session with the backfill setting would).
    await withWriters(async (conn) => {
      await conn.query("SET dbtide.backfill = 'on'");
      await conn.query("UPDATE people SET first_name = 'Drifted' WHERE id <= 3");
    });
    await expect(contract(t, v2)).rejects.toThrow(/3 row\(s\) break "every row has people\.full_name = first_name/);
    expect((await check(t, v2)).next).toBe('contract');

    await contract(t, v2, { force: 'rows 1-3 are test data' });
    expect((await check(t, v2)).next).toBe(null);
    await withWriters(async (conn) => {
      const journal = await conn.query<{ sql: string; status: string; error: string }>(
        "SELECT sql, status, error FROM _dbtide_journal WHERE step_id = 'force'",
      );
      expect(journal).toEqual([
        {
          sql: expect.stringMatching(/forced past verification: every row has people\.full_name = .*: 3 row\(s\) differ; reason: rows 1-3 are test data/),
          status: 'forced',
          error: 'rows 1-3 are test data',
        },
      ]);
    });
  });

  it('migrate with a row limit stops with more to do and goes on from its checkpoint', async () => {
    await seedRelease1(1000);
    await expand(t, v2);
    const limited = () => migrate(t, v2, { backfill: { maxRows: 700, initialBatch: 100 } });
    const runs = [await limited()];
    expect(runs[0]!.moreToDo).toBe(true);
    expect((await check(t, v2)).next).toBe('migrate');
    while (runs.at(-1)!.moreToDo) runs.push(await limited());
    // 4 backfills of 1000 rows and a move of 2345 rows, 700 rows a run; a job that ends exactly
    // at the limit is found done by the next run.
    expect(runs.length).toBeGreaterThanOrEqual(Math.ceil((4 * 1000 + 2345) / 700));
    expect(runs.length).toBeLessThanOrEqual(Math.ceil((4 * 1000 + 2345) / 700) + 1);
    expect((await check(t, v2)).next).toBe('contract');
  });
});
