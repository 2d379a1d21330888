/**
 * Table and column comments: normalized, compared, planned in expand, compiled for each dialect
 * (PostgreSQL's COMMENT ON, MySQL's COMMENT clauses with its escaping) and rendered by pull.
 */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { PG_LOCK } from '../../dialects/postgres/locks.js';
import { MYSQL_LOCK } from '../../dialects/mysql/locks.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import type { Change } from '../../src/diff/changes.js';
import { diff } from '../../src/diff/diff.js';
import { emptyTombstones, type TableModel } from '../../src/model/schema-model.js';
import { plan } from '../../src/plan/planner.js';
import { overlongComments, refuseOverlongComments } from '../../src/plan/comment-limits.js';
import { T, column, table } from '../support/model-builders.js';

const TRICKY = "it's a \\ back\\slash,\nnew line; naïve 日本語";

const pg = (changes: Change[]) =>
  plan(changes, { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: {} });
const my = (changes: Change[]) =>
  plan(changes, { caps: mysqlCapabilities('10.11.6-MariaDB'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: postgresBackfill.batchLock, statements: mysqlStatements, tables: {} });

const declare = (tables: TableModel[]) => ({ release: 'r', model: { tables: Object.fromEntries(tables.map((t) => [t.name, t])) }, removed: emptyTombstones(), transitions: [] });
const live = (tables: TableModel[]) => ({ tables: Object.fromEntries(tables.map((t) => [t.name, t])) });

describe('comments: declaration', () => {
  it('are kept on tables and columns, absent when not declared', () => {
    const { model } = normalizeSchema(
      defineSchema({ release: 'r', tables: { t: { comment: TRICKY, columns: { id: 'int', a: { type: 'int', comment: 'the a' }, b: 'int' } } } }),
    );
    expect(model.tables.t!.comment).toBe(TRICKY);
    expect(model.tables.t!.columns.map((c) => c.comment)).toEqual([undefined, 'the a', undefined]);
    expect(model.tables.t!.columns[0]).not.toHaveProperty('comment');
  });

  it('an empty comment is refused, naming where', () => {
    expect(() => normalizeSchema(defineSchema({ release: 'r', tables: { t: { comment: '', columns: { id: { type: 'int', comment: '' } } } } }))).toThrow(
      /tables\.t\.columns\.id: an empty comment is no comment: leave `comment` out to have none[\s\S]*tables\.t: an empty comment is no comment/,
    );
  });

  it('a table named again inherits its comment; null drops it', () => {
    const v1 = defineSchema({ release: 'v1', tables: { t: { comment: 'kept', columns: { id: 'int' } } } });
    const v2 = defineSchema({ release: 'v2', extends: v1, tables: { t: { columns: { a: 'int' } } } });
    const v3 = defineSchema({ release: 'v3', extends: v2, tables: { t: { comment: null } } });
    expect(normalizeSchema(v2).model.tables.t!.comment).toBe('kept');
    expect(normalizeSchema(v3).model.tables.t).not.toHaveProperty('comment');
  });

  it('a comment that is not a string is refused', () => {
    expect(() => defineSchema({ release: 'r', tables: { t: { comment: 3 as unknown as string, columns: { id: 'int' } } } })).toThrow(/tables\.t\.comment/);
  });
});

describe('comments: diff', () => {
  const have = table('t', { columns: [column('id', T.bigint, { nullable: false }), column('a', T.int, { comment: 'old', default: { kind: 'literal', value: 1 } }), column('b', T.int)] });

  it('nothing when both sides agree', () => {
    expect(diff(declare([have]), live([have]))).toEqual([]);
  });

  it('a table comment added, changed or removed; a column comment changed carries the live column with the declared comment', () => {
    const want = table('t', {
      comment: 'new',
      columns: [column('id', T.bigint, { nullable: false }), column('a', T.bigint, { comment: 'changed' }), column('b', T.int, { comment: 'added' })],
    });
    const changes = diff(declare([want]), live([have])).filter((c) => c.kind === 'set-comment');
    expect(changes).toEqual([
      { kind: 'set-comment', table: 't', comment: 'new' },
      // Live type and default: only the comment changes here; the type change is a step of its own.
      { kind: 'set-comment', table: 't', column: column('a', T.int, { comment: 'changed', default: { kind: 'literal', value: 1 } }), comment: 'changed' },
      { kind: 'set-comment', table: 't', column: column('b', T.int, { comment: 'added' }), comment: 'added' },
    ]);
    expect(diff(declare([have]), live([{ ...have, comment: 'gone' }]))).toEqual([{ kind: 'set-comment', table: 't', comment: null }]);
  });

  it('a column comment removed: the column without one', () => {
    const want = table('t', { columns: [column('id', T.bigint, { nullable: false }), column('a', T.int, { default: { kind: 'literal', value: 1 } }), column('b', T.int)] });
    const [change] = diff(declare([want]), live([have]));
    expect(change).toEqual({ kind: 'set-comment', table: 't', column: column('a', T.int, { default: { kind: 'literal', value: 1 } }), comment: null });
    expect((change as { column: object }).column).not.toHaveProperty('comment');
  });

  it('a new column carries its comment in add-column, with no comment step', () => {
    const want = table('t', { columns: [...have.columns, column('c', T.int, { comment: 'new column' })] });
    expect(diff(declare([want]), live([have]))).toEqual([{ kind: 'add-column', table: 't', column: column('c', T.int, { comment: 'new column' }) }]);
  });
});

describe('comments: plan', () => {
  const commented = column('a', T.int, { comment: TRICKY });

  it('PostgreSQL: COMMENT ON in expand, SHARE UPDATE EXCLUSIVE, before the phase restates any column', () => {
    const p = pg([
      { kind: 'drop-not-null', table: 't', column: column('a', T.int) },
      { kind: 'set-comment', table: 't', column: commented, comment: TRICKY },
      { kind: 'set-comment', table: 't', comment: null },
    ]);
    expect(p.steps.map((s) => [s.id, s.phase, s.sql, s.lock])).toEqual([
      ['set-comment:t.a', 'expand', [`COMMENT ON COLUMN "t"."a" IS 'it''s a \\ back\\slash,\nnew line; naïve 日本語'`], PG_LOCK.online],
      ['set-comment:t', 'expand', ['COMMENT ON TABLE "t" IS NULL'], PG_LOCK.online],
      ['drop-not-null:t.a', 'expand', ['ALTER TABLE "t" ALTER COLUMN "a" DROP NOT NULL'], PG_LOCK.metadata],
    ]);
    expect(p.steps[1]!.description).toBe('remove the comment of table t');
    expect(p.warnings).toEqual([]);
  });

  it('PostgreSQL: a new table and a new column get their comments within their own step', () => {
    const t = table('t', { comment: 'the t', columns: [column('id', T.bigint, { nullable: false }), commented] });
    expect(pg([{ kind: 'create-table', table: t }]).steps[0]!.sql).toEqual([
      'CREATE TABLE "t" (\n  "id" bigint NOT NULL,\n  "a" integer,\n  CONSTRAINT "t_pkey" PRIMARY KEY ("id")\n)',
      `COMMENT ON TABLE "t" IS 'the t'`,
      `COMMENT ON COLUMN "t"."a" IS 'it''s a \\ back\\slash,\nnew line; naïve 日本語'`,
    ]);
    expect(pg([{ kind: 'add-column', table: 'u', column: commented }]).steps[0]!.sql).toEqual([
      'ALTER TABLE "u" ADD COLUMN IF NOT EXISTS "a" integer',
      `COMMENT ON COLUMN "u"."a" IS 'it''s a \\ back\\slash,\nnew line; naïve 日本語'`,
    ]);
  });

  it('MySQL: the comment is in CREATE TABLE and ADD COLUMN; backslashes and quotes doubled', () => {
    const t = table('t', { comment: "the t's", columns: [column('id', T.bigint, { nullable: false }), commented] });
    expect(my([{ kind: 'create-table', table: t }]).steps[0]!.sql).toEqual([
      "CREATE TABLE `t` (\n  `id` bigint NOT NULL,\n  `a` int NULL COMMENT 'it''s a \\\\ back\\\\slash,\nnew line; naïve 日本語',\n  PRIMARY KEY (`id`)\n) COMMENT = 'the t''s'",
    ]);
    expect(my([{ kind: 'add-column', table: 'u', column: commented }]).steps[0]!.sql).toEqual([
      "ALTER TABLE `u` ADD COLUMN `a` int NULL COMMENT 'it''s a \\\\ back\\\\slash,\nnew line; naïve 日本語', ALGORITHM=INSTANT, LOCK=DEFAULT",
    ]);
  });

  it('MySQL: a column comment restates the live column, INSTANT; the table comment is INSTANT; both expand', () => {
    const live = column('a', T.varchar(20), { nullable: false, default: { kind: 'literal', value: 'x' }, comment: 'c' });
    const p = my([
      { kind: 'set-comment', table: 't', column: live, comment: 'c' },
      { kind: 'set-comment', table: 't', comment: null },
    ]);
    expect(p.steps.map((s) => [s.phase, s.sql, s.lock])).toEqual([
      ['expand', ["ALTER TABLE `t` MODIFY COLUMN `a` varchar(20) NOT NULL DEFAULT 'x' COMMENT 'c', ALGORITHM=INSTANT, LOCK=DEFAULT"], MYSQL_LOCK.instant],
      ['expand', ["ALTER TABLE `t` COMMENT = '', ALGORITHM=INSTANT, LOCK=DEFAULT"], MYSQL_LOCK.instant],
    ]);
    const { comment: _, ...bare } = live;
    expect(mysqlCompiler.commentOnColumn('t', bare).sql).toBe("ALTER TABLE `t` MODIFY COLUMN `a` varchar(20) NOT NULL DEFAULT 'x', ALGORITHM=INSTANT, LOCK=DEFAULT");
  });

  it('the phase policy reads the statements as additive or in place', () => {
    expect(postgresStatements.classify(`COMMENT ON TABLE "t" IS 'x'`)).toBe('additive');
    expect(mysqlStatements.classify("ALTER TABLE `t` COMMENT = 'drop table x', ALGORITHM=INSTANT, LOCK=DEFAULT")).toBe('additive');
    expect(mysqlStatements.classify("ALTER TABLE `t` MODIFY COLUMN `a` int NULL COMMENT 'not null', ALGORITHM=INSTANT, LOCK=DEFAULT")).toBe('relaxing');
  });
});

describe('comments: pull', () => {
  it('renders them after what the table declares, and on columns as an object entry', () => {
    const source = renderDeclaration(
      { tables: { t: table('t', { comment: TRICKY, columns: [column('id', T.bigint, { nullable: false }), column('a', T.int, { comment: "it's" })] }) } },
      { release: 'r' },
    );
    expect(source).toContain("a: { type: 'int', comment: 'it\\'s' },");
    expect(source).toContain("comment: 'it\\'s a \\\\ back\\\\slash,\\nnew line; naïve 日本語',");
    expect(source).not.toContain('unsupported');
  });
});

describe('comments: server limits', () => {
  const declared = (table: string, column: string) =>
    normalizeSchema(defineSchema({ release: 'long', tables: { t: { comment: table, columns: { id: 'int', a: { type: 'int', comment: column } } } } }));

  it('MySQL keeps 2048 characters on a table and 1024 on a column, counting characters, not bytes', () => {
    const caps = mysqlCapabilities('10.11.6-MariaDB');
    expect(overlongComments(declared('日'.repeat(2048), '😀'.repeat(1024)), caps)).toEqual([]);
    expect(overlongComments(declared('x'.repeat(2049), 'y'.repeat(1025)), caps)).toEqual([
      'tables.t.comment: the comment has 2049 characters; MariaDB 10.11.6 keeps at most 2048',
      'tables.t.columns.a.comment: the comment has 1025 characters; MariaDB 10.11.6 keeps at most 1024',
    ]);
    expect(() => refuseOverlongComments(declared('x', 'y'.repeat(1025)), caps)).toThrow(
      /^release long declares comments longer than MariaDB 10.11.6 keeps; nothing was changed:\n {2}tables\.t\.columns\.a\.comment/,
    );
  });

  it('PostgreSQL has no limit', () => {
    expect(overlongComments(declared('x'.repeat(5000), 'y'.repeat(5000)), postgresCapabilities('15.4'))).toEqual([]);
  });
});
