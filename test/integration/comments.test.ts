/**
 * Table and column comments are declared: built with the table, added, changed and removed in
 * expand on a live table, pulled back as declared, and no longer reported as unsupported. The
 * text survives quotes, backslashes, line breaks and non-ASCII on every server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges, pull, type Target } from '../../src/api.js';
import { changeType } from '../../src/declaration/transitions.js';
import { defineSchema, native, sql } from '../../src/declaration/define-schema.js';
import { withDatabase } from '../../src/engine.js';
import type { Plan } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, targets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

/** Every character a literal has to get right. */
const TRICKY = "it's a \\ back\\slash,\nnew line; naïve 日本語 ''";

const v1 = defineSchema({
  release: 'comments-1',
  tables: {
    users: {
      comment: TRICKY,
      columns: {
        id: 'bigint',
        email: { type: 'varchar(200)', nullable: false, default: 'none', comment: 'login; unique per tenant' },
        note: { type: 'text', comment: TRICKY },
        plain: 'int',
      },
      primaryKey: ['id'],
    },
  },
});

const v2 = defineSchema({
  release: 'comments-2',
  extends: v1,
  tables: {
    users: {
      comment: 'people who sign in',
      columns: {
        id: 'bigint',
        email: { type: 'varchar(200)', nullable: false, default: 'none', comment: 'changed' },
        note: 'text',
        plain: { type: 'int', comment: 'now commented' },
        added: { type: 'int', comment: 'new column' },
      },
      primaryKey: ['id'],
    },
  },
});

const v3 = defineSchema({
  release: 'comments-3',
  extends: v2,
  tables: { users: { comment: null } },
});

const nothingToDo = (plan: Plan) => ({ steps: plan.steps.map((s) => s.id), drift: plan.drift });

async function columnsOf(url: string, table = 'users'): Promise<unknown> {
  return withDatabase(url, {}, async ({ dialect, conn }) => {
    const model = await dialect.introspect(conn);
    return model.tables[table]?.columns.map((c) => [c.name, c.type, c.nullable, c.default, c.comment ?? null, c.identity]);
  });
}

/** A type changed online: the column swapped in takes the declared comment. */
const retyped = defineSchema({
  release: 'comments-retyped',
  extends: v1,
  tables: { users: { columns: { plain: { type: 'bigint', comment: 'wider now' } } } },
  transitions: [changeType('users', 'plain')],
});

describe.each(targets)('comments on $name', (target) => {
  it('a column whose type a transition changes keeps the declared comment through the swap', async () => {
    const db = await target.create('comments_swap');
    const t: Target = { url: db.url };
    try {
      await expand(t, v1);
      await contract(t, v1);
      await withDatabase(db.url, {}, ({ conn }) => conn.query("INSERT INTO users (id, email, plain) VALUES (1, 'a@b', 7)"));
      const { plan } = await planChanges(t, retyped);
      expect(plan.steps.map((s) => s.operation)).not.toContain('set-comment');
      await expand(t, retyped);
      await migrate(t, retyped);
      await contract(t, retyped);
      const plain = (await columnsOf(db.url) as unknown[][]).find((c) => c[0] === 'plain');
      expect([plain![1], plain![4]]).toEqual([{ kind: 'bigint' }, 'wider now']);
      expect(nothingToDo((await planChanges(t, retyped)).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('a new table gets its comments with it; pull writes them and they plan to nothing', async () => {
    const db = await target.create('comments_new');
    const t: Target = { url: db.url };
    try {
      const { plan } = await planChanges(t, v1);
      expect(plan.steps.map((s) => [s.id, s.phase])).toEqual([['create-table:users', 'expand']]);
      await expand(t, v1);
      await contract(t, v1);
      const pulled = await pull(t, { release: 'comments-pulled' });
      expect(pulled.model.tables.users!.comment).toBe(TRICKY);
      expect(pulled.model.tables.users!.columns.map((c) => c.comment)).toEqual(['', 'login; unique per tenant', TRICKY, undefined].map((c) => c || undefined));
      expect(pulled.source).not.toContain('unsupported');
      expect(pulled.source).toContain("comment: 'login; unique per tenant'");
      const file = files.write(`comments-pulled-${target.name}.ts`, pulled.source);
      expect(nothingToDo((await planChanges(t, file)).plan)).toEqual({ steps: [], drift: [] });
      expect(nothingToDo((await planChanges(t, v1)).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('adding, changing and removing comments on a live table is expand only, and keeps each column as it was', async () => {
    const db = await target.create('comments_live');
    const t: Target = { url: db.url };
    try {
      await expand(t, v1);
      await contract(t, v1);
      await withDatabase(db.url, {}, ({ conn }) => conn.query("INSERT INTO users (id, email, note, plain) VALUES (1, 'a@b', 'x', 7)"));
      const before = (await columnsOf(db.url)) as unknown[][];

      const { plan } = await planChanges(t, v2);
      expect(plan.steps.map((s) => [s.id, s.phase, s.lock.blocksWrites, s.lock.rewritesTable])).toEqual([
        ['set-comment:users', 'expand', false, false],
        ['set-comment:users.email', 'expand', false, false],
        ['set-comment:users.note', 'expand', false, false],
        ['set-comment:users.plain', 'expand', false, false],
        ['add-column:users.added', 'expand', false, false],
      ]);
      expect(plan.warnings).toEqual([]);
      await expand(t, v2);
      expect(nothingToDo((await planChanges(t, v2)).plan)).toEqual({ steps: [], drift: [] });
      const after = (await columnsOf(db.url)) as unknown[][];
      // Only the comments changed: type, nullability and default are as they were.
      expect(after.slice(0, 4).map((c) => c.slice(0, 4))).toEqual(before.map((c) => c.slice(0, 4)));
      expect(after.map((c) => c[4])).toEqual([null, 'changed', null, 'now commented', 'new column']);
      expect((await pull(t)).model.tables.users!.comment).toBe('people who sign in');

      const removal = await planChanges(t, v3);
      expect(removal.plan.steps.map((s) => [s.id, s.phase, s.description])).toEqual([['set-comment:users', 'expand', 'remove the comment of table users']]);
      await expand(t, v3);
      expect((await pull(t)).model.tables.users).not.toHaveProperty('comment');
      expect(nothingToDo((await planChanges(t, v3)).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('comments on $name: limits', (target) => {
  it('a comment longer than the server keeps is refused at plan time, naming it; nothing is created', async () => {
    const db = await target.create('comments_long');
    const t: Target = { url: db.url };
    try {
      const long = defineSchema({ release: 'long', tables: { notes: { columns: { id: 'int', body: { type: 'text', comment: 'x'.repeat(1025) } } } } });
      await expect(planChanges(t, long)).rejects.toThrow(
        /^release long declares comments longer than (MariaDB|MySQL) [\d.]+ keeps; nothing was changed:\n {2}tables\.notes\.columns\.body\.comment: the comment has 1025 characters; (MariaDB|MySQL) [\d.]+ keeps at most 1024$/,
      );
      await expect(expand(t, long)).rejects.toThrow(/keeps at most 1024/);
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('comments on $name: restated columns', (target) => {
  const kinds = (comment?: string) =>
    defineSchema({
      release: comment ? 'kinds-2' : 'kinds-1',
      tables: {
        gadgets: {
          columns: Object.fromEntries(
            Object.entries({
              id: { type: 'bigint', identity: true },
              made: { type: 'timestamp', nullable: false, default: sql('CURRENT_TIMESTAMP') },
              touched: { type: native('timestamp ON UPDATE CURRENT_TIMESTAMP'), nullable: true },
              doc: { type: 'json' },
              label: { type: 'varchar(40)', nullable: false, default: "it's" },
              state: { type: native("enum('on','off')"), default: 'on' },
            }).map(([name, column]) => [name, comment ? { ...column, comment: `${comment} ${name}` } : column]),
          ),
          primaryKey: ['id'],
        },
      },
    });

  it('identity, current-time defaults, ON UPDATE, JSON, ENUM: only the comment changes, in place', async () => {
    const db = await target.create('comments_kinds');
    const t: Target = { url: db.url };
    try {
      await expand(t, kinds());
      await contract(t, kinds());
      const before = (await columnsOf(db.url, 'gadgets')) as unknown[][];
      const { plan } = await planChanges(t, kinds('about'));
      expect(plan.steps.map((s) => [s.operation, s.phase, s.lock.blocksWrites])).toEqual(before.map(() => ['set-comment', 'expand', false]));
      await expand(t, kinds('about'));
      const after = (await columnsOf(db.url, 'gadgets')) as unknown[][];
      // Type, nullability, default and identity as they were.
      const rest = (c: unknown[]) => [...c.slice(0, 4), c[5]];
      expect(after.map(rest)).toEqual(before.map(rest));
      expect(before.find((c) => c[0] === 'id')![5]).toBe('by-default');
      expect(after.map((c) => c[4])).toEqual(before.map((c) => `about ${String(c[0])}`));
      expect(nothingToDo((await planChanges(t, kinds('about'))).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });
});
