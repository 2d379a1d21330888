import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType, dataMove, derive, fillColumn, renameColumn, renameTable } from '../../src/declaration/transitions.js';
import type { Dialect } from '../../src/dialect.js';

/**
 * Two releases of a small schema: v1, what the old application version reads and writes, and v2,
 * which declares one transition of every kind. The transition and rollback suites run them.
 */

/** What the two dialects spell differently; the rest of the suite is the same SQL on both. */
export interface DialectSql {
  /** Backward expressions: the words of full_name. */
  firstWord: string;
  lastWord: string;
  /** One batch of the data move, and the rows it moved from what the statement returned. */
  moveNotes(limit: string): string;
  moved(rows: Record<string, unknown>[]): number;
}

const notYetMoved = `INSERT INTO notes (id, body) SELECT a.id, a.note FROM audit a
  WHERE NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = a.id) ORDER BY a.id`;

export const SQL: Partial<Record<Dialect['name'], DialectSql>> = {
  postgres: {
    firstWord: "split_part(full_name, ' ', 1)",
    lastWord: "split_part(full_name, ' ', 2)",
    moveNotes: (limit) => `${notYetMoved} LIMIT ${limit} RETURNING id`,
    moved: (rows) => rows.length,
  },
  // No RETURNING: the driver answers a row-changing statement with its row count, `n`.
  mysql: {
    firstWord: "substring_index(full_name, ' ', 1)",
    lastWord: "substring_index(full_name, ' ', -1)",
    moveNotes: (limit) => `${notYetMoved} LIMIT ${limit}`,
    moved: (rows) => Number(rows[0]!.n),
  },
};

/** Release 1: what the old application version reads and writes. */
export const v1 = defineSchema({
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
export const release2 = (sql: DialectSql) =>
  defineSchema({
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
        forward: { full_name: "concat(first_name, ' ', last_name)" },
        backward: { first_name: sql.firstWord, last_name: sql.lastWord },
        retires: ['first_name', 'last_name'],
      }),
      changeType('people', 'score'),
      fillColumn('people', 'city_code', "upper(left(coalesce(city, 'zzz'), 3))"),
      renameTable('hosts', 'machines'),
      dataMove('copy audit notes', async ({ query, param, batchSize }) => {
        const moved = sql.moved(await query(sql.moveNotes(param(1)), [batchSize]));
        return { found: moved, done: moved < batchSize };
      }),
    ],
  });
