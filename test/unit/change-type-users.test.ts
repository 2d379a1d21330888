import { describe, expect, it } from 'vitest';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { SchemaInput, TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType } from '../../src/declaration/transitions.js';
import { diff } from '../../src/diff/diff.js';
import { builtOnSwappedColumns } from '../../src/diff/transition-sources.js';
import { columnUsers, expressionReads, keyedTable } from '../../src/model/column-users.js';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import { T, column as col, idColumn, index, table } from '../support/model-builders.js';
import { declarationIssues } from '../support/declaration-issues.js';

describe('expressionReads', () => {
  it.each([
    ['lower(rating)', 'rating', true],
    ['LOWER(RATING)', 'rating', true],
    ['"rating" + 1', 'rating', true],
    ['`rating` + 1', 'rating', true],
    ['"Rating" + 1', 'rating', false],
    ['"we""ird" || x', 'we"ird', true],
    ['lower(rating_note)', 'rating', false],
    ["coalesce(note, 'rating')", 'rating', false],
    ["coalesce(note, 'it''s rating')", 'rating', false],
    ['t.rating > 0', 'rating', true],
    ['prénom <> \'\'', 'prénom', true],
    ['x', 'rating', false],
  ])('%s reads %s: %s', (expression, column, reads) => {
    expect(expressionReads(expression, column)).toBe(reads);
  });
});

describe('columnUsers', () => {
  const reviews = table('reviews', {
    columns: [idColumn(), col('rating', T.int), col('rating_note'), col('with space'), col('author_id', T.bigint)],
    uniques: [{ name: 'reviews_note_key', columns: ['rating_note'] }],
    indexes: [
      index('by_note', ['rating_note']),
      index('by_note_prefix', ['rating_note(10)']),
      index('by_rating_desc', ['rating DESC']),
      index('by_lower', ['lower(rating_note)'], { unique: true }),
      index('by_abs', ['abs(rating)'], { unique: true }),
      index('partial', ['author_id'], { where: 'rating > 3' }),
      index('spaced', ['with space']),
    ],
    foreignKeys: [{ name: 'reviews_author_fkey', columns: ['author_id'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'no action', onUpdate: 'no action', validated: true }],
  });
  const authors = table('authors', { columns: [idColumn()] });
  const users = (t: TableModel, column: string) => columnUsers(keyedTable(t), column, [reviews, authors].map(keyedTable)).map((u) => [u.label, u.viaExpression]);

  it('counts only entries that read the column, not names that contain it', () => {
    expect(users(reviews, 'rating')).toEqual([
      ['index by_rating_desc', false],
      ['unique index by_abs', true],
      ['index partial', true],
    ]);
    expect(users(reviews, 'rating_note').map(([label]) => label)).toEqual(['unique reviews_note_key', 'index by_note', 'index by_note_prefix', 'unique index by_lower']);
    expect(users(reviews, 'with space')).toEqual([['index spaced', false]]);
    expect(users(reviews, 'with')).toEqual([]);
  });

  it('finds the primary key, foreign keys and the foreign keys that reference the column', () => {
    expect(users(reviews, 'author_id').map(([label]) => label)).toEqual(['index partial', 'foreign key reviews_author_fkey']);
    expect(users(authors, 'id').map(([label]) => label)).toEqual(['the primary key authors_pkey', 'foreign key reviews.reviews_author_fkey']);
  });
});

const v1 = defineSchema({
  release: 'v1',
  tables: {
    items: {
      columns: { id: 'int', code: 'varchar(50)', code_note: 'text', sku: 'varchar(20)', batch: 'int' },
      primaryKey: ['id'],
      uniques: [{ name: 'items_sku_key', columns: ['sku'] }],
      indexes: [{ name: 'items_note_idx', columns: ['code_note'] }, { name: 'items_batch_idx', columns: ['batch + 1'] }],
    },
    parts: { columns: { id: 'int', item_code: 'varchar(50)' }, primaryKey: ['id'] },
  },
});

const issuesOf = (input: Omit<SchemaInput, 'release' | 'extends'>, base: SchemaInput['extends'] = v1): string[] =>
  declarationIssues(() => normalizeSchema(defineSchema({ release: 'v2', ...(base ? { extends: base } : {}), ...input })));
const widenCode = (items: TableInput) => ({ tables: { items: { ...items, columns: { code: 'text', ...items.columns } } }, transitions: [changeType('items', 'code')] });

describe('changeType and what the release builds on the column', () => {
  it('accepts a unique, a unique index, an index and an expression index new in this release', () => {
    expect(issuesOf(widenCode({ uniques: [{ columns: ['code'] }] }))).toEqual([]);
    expect(issuesOf(widenCode({ indexes: [{ columns: ['code'], unique: true }, { columns: ['code DESC', 'code_note'] }, { columns: ['lower(code)'] }] }))).toEqual([]);
  });

  it('an index on a column whose name contains the changed one is no user of it', () => {
    expect(issuesOf({ tables: { items: { columns: { code_note: 'varchar(500)' } } }, transitions: [changeType('items', 'code_note')] })).toEqual([
      expect.stringContaining('items.code_note carries index items_note_idx in the previous release v1'),
    ]);
    expect(issuesOf(widenCode({}))).toEqual([]);
  });

  it('refuses a primary key, a foreign key (either end) and a unique expression index, naming the user and the recipe', () => {
    expect(issuesOf({ tables: { items: { columns: { id: 'bigint' } } }, transitions: [changeType('items', 'id')] })).toEqual([
      'transitions[0] (change-type): "id" is used by the primary key items_pkey; the type of a key or referenced column cannot change online yet: add a new column of the new type with derive() and retire this one',
    ]);
    expect(
      issuesOf({
        tables: {
          items: { columns: { code: 'text' }, uniques: [{ columns: ['code'] }] },
          parts: { columns: { item_code: 'text' }, foreignKeys: [{ name: 'parts_item_fkey', columns: ['item_code'], references: { table: 'items', columns: ['code'] } }] },
        },
        transitions: [changeType('items', 'code'), changeType('parts', 'item_code')],
      }),
    ).toEqual([
      'transitions[0] (change-type): "code" is used by foreign key parts.parts_item_fkey; the type of a key or referenced column cannot change online yet: add a new column of the new type with derive() and retire this one',
      'transitions[1] (change-type): "item_code" is used by foreign key parts_item_fkey; the type of a key or referenced column cannot change online yet: add a new column of the new type with derive() and retire this one',
    ]);
    expect(issuesOf(widenCode({ indexes: [{ name: 'items_code_lower', columns: ['lower(code)'], unique: true }] }))).toEqual([
      `transitions[0] (change-type): "code" is read by the expression of unique index items_code_lower, whose duplicate check cannot read the converted values: declare that index in the next release, after this one's contract`,
    ]);
  });

  it('refuses a unique or index the previous release already has on the column', () => {
    const issues = issuesOf({ tables: { items: { columns: { sku: 'text', batch: 'bigint' } } }, transitions: [changeType('items', 'sku'), changeType('items', 'batch')] });
    expect(issues).toEqual([
      expect.stringMatching(/^transitions\[0\] \(change-type\): items\.sku carries unique items_sku_key in the previous release v1, which contract's swap would drop with the old column .*derive\(\).*remove it in one release and change the type in the next/),
      expect.stringMatching(/^transitions\[1\] \(change-type\): items\.batch carries index items_batch_idx in the previous release v1/),
    ]);
  });
});

describe('changeType against the live table', () => {
  const declared = normalizeSchema(defineSchema({ release: 'v2', tables: { items: { columns: { id: 'int', code: 'text' }, primaryKey: ['id'], uniques: [{ columns: ['code'] }] } }, transitions: [changeType('items', 'code')] }));
  const live = (extra: Partial<TableModel>): SchemaModel => ({
    tables: { items: table('items', { columns: [col('id', T.int, { nullable: false }), col('code', T.varchar(50))], ...extra }) },
    owned: noOwnedObjects(),
  });

  it('refuses what the live table builds on a column still to be swapped', () => {
    expect(builtOnSwappedColumns(declared, live({ indexes: [index('items_code_idx', ['code'])] }))).toEqual([
      expect.stringMatching(/^transitions\[0\] \(change-type\): items\.code carries index items_code_idx in the live database, which contract's swap would drop/),
    ]);
    expect(builtOnSwappedColumns(declared, live({ indexes: [index('items_other_idx', ['code_x'])] }))).toEqual([]);
    expect(builtOnSwappedColumns(declared, live({}))).toEqual([]);
  });

  it('once swapped, what the column carries was built after the swap', () => {
    const swapped: SchemaModel = {
      tables: { items: table('items', { columns: [col('id', T.int, { nullable: false }), col('code')], uniques: [{ name: 'items_code_key', columns: ['code'] }] }) },
      owned: noOwnedObjects(),
    };
    expect(builtOnSwappedColumns(declared, swapped)).toEqual([]);
  });
});

describe('planning a unique and an index on a type-changed column', () => {
  const declared = normalizeSchema(
    defineSchema({
      release: 'v2',
      extends: v1,
      tables: { items: { columns: { code: 'text' }, uniques: [{ name: 'items_code_key', columns: ['code'] }], indexes: [{ name: 'items_code_idx', columns: ['code DESC'] }, { name: 'items_code_uidx', columns: ['code', 'sku'], unique: true }] } },
      transitions: [changeType('items', 'code', { using: 'lower(code)' })],
    }),
  );
  const liveItems = table('items', {
    columns: [col('id', T.int, { nullable: false }), col('code', T.varchar(50)), col('code_note'), col('sku', T.varchar(20)), col('batch', T.int)],
    uniques: [{ name: 'items_sku_key', columns: ['sku'] }],
    indexes: [index('items_note_idx', ['code_note']), index('items_batch_idx', ['batch + 1'])],
  });
  const parts = table('parts', { columns: [col('id', T.int, { nullable: false }), col('item_code', T.varchar(50))] });
  const planFor = (items: TableModel, owned = noOwnedObjects()) =>
    plan(diff(declared, { tables: { items, parts }, owned }), {
      caps: postgresCapabilities('15.4'),
      sql: postgresCompiler,
      transitions: postgresTransitions,
      batchLock: postgresBackfill.batchLock,
      statements: postgresStatements,
      tables: declared.model.tables,
    });

  it('builds them in contract after the swap, the duplicate checks reading the converted copy', () => {
    const steps = planFor(liveItems).steps;
    const contract = steps.filter((s) => s.phase === 'contract').map((s) => s.id);
    const swap = contract.indexOf('swap-column:items.code');
    expect(swap).toBeGreaterThanOrEqual(0);
    for (const id of ['add-unique:items.items_code_key', 'add-index:items.items_code_idx', 'add-index:items.items_code_uidx']) {
      expect(contract.indexOf(id)).toBeGreaterThan(swap);
    }
    const uniqueCheck = steps.find((s) => s.id === 'add-unique:items.items_code_key')!.prechecks;
    expect(uniqueCheck).toEqual([
      expect.objectContaining({
        columns: ['_dbtide_new_code'],
        description: '(code) in items has no duplicates in the new type (read before the swap: code from _dbtide_new_code)',
        rule: { kind: 'unique', keys: [{ kind: 'column', column: '_dbtide_new_code', prefix: null, modifiers: '' }], where: null },
      }),
    ]);
    const indexCheck = steps.find((s) => s.id === 'add-index:items.items_code_uidx')!.prechecks[0]!;
    expect(indexCheck.columns).toEqual(['_dbtide_new_code', 'sku']);
    expect(steps.find((s) => s.id === 'add-index:items.items_code_idx')!.prechecks).toEqual([]);
  });

  it('after the swap the duplicate check reads the column itself', () => {
    const swapped = { ...liveItems, columns: liveItems.columns.map((c) => (c.name === 'code' ? col('code') : c)) };
    const steps = planFor(swapped, { ...noOwnedObjects(), finishedJobs: [declared.transitions[0]!.kind === 'column-sync' ? declared.transitions[0]!.id : ''] }).steps;
    expect(steps.map((s) => s.id)).not.toContain('swap-column:items.code');
    expect(steps.find((s) => s.id === 'add-unique:items.items_code_key')!.prechecks[0]).toMatchObject({
      columns: ['code'],
      description: '(code) in items has no duplicates',
    });
  });
});
