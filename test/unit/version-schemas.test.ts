import { describe, expect, it } from 'vitest';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { mysqlBackfill } from '../../dialects/mysql/backfill.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import type { VersionSelection } from '../../src/dialect.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType } from '../../src/declaration/transitions.js';
import type { Change } from '../../src/diff/changes.js';
import { diff } from '../../src/diff/diff.js';
import { keptStart } from '../../src/declaration/names.js';
import { versionSchemaChanges, versionSchemaName } from '../../src/diff/version-schemas.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import { noOwnedObjects } from '../../src/model/transition.js';
import type { LiveVersionSchema } from '../../src/model/version-schema.js';
import { plan } from '../../src/plan/planner.js';
import { column as col, idColumn, table } from '../support/model-builders.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    reviews: { columns: { id: 'bigint', title: 'text', rating: 'text' }, primaryKey: ['id'] },
    authors: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'] },
  },
});
const v2 = normalizeSchema(defineSchema({
  release: 'v2',
  extends: v1,
  tables: { reviews: { columns: { rating: 'int' } } },
  transitions: [changeType('reviews', 'rating')],
}));
const v2plain = normalizeSchema(defineSchema({ release: 'v2', extends: v1, tables: { authors: { columns: { bio: 'text' } } } }));

const liveTables = {
  authors: table('authors', { columns: [idColumn(), col('name')] }),
  reviews: table('reviews', { columns: [idColumn(), col('title'), col('rating')] }),
};
const swapPending = diff(v2, { tables: liveTables, owned: noOwnedObjects() });
const SHADOW = '_dbtide_new_rating';

const versions = (changes: Change[], selection: VersionSelection, live: LiveVersionSchema[] = [], declared = v2) =>
  versionSchemaChanges(changes, { declared, base: 'app', selection, live, tables: ['authors', 'reviews'] });

const marker = (name: string, release: string, signature: string, relations = ['_dbtide_version', 'reviews']): LiveVersionSchema => ({
  name,
  marker: { base: 'app', release, signature, stage: 'window' },
  relations: relations.map((r) => ({ name: r, view: true })),
});

const summary = (changes: Change[]) =>
  changes.map((c) =>
    c.kind === 'create-version-schema'
      ? `create ${c.schema.name} ${c.schema.stage}: ${c.schema.views.map((v) => `${v.table}(${v.columns.map((x) => (x.reads === x.name ? x.name : `${x.reads} AS ${x.name}`)).join(', ')})`).join(' ')}`
      : c.kind === 'drop-version-schema' ? `drop ${c.name} [${c.views.join(', ')}] after ${c.after.length}` : `${c.kind} ${'object' in c ? c.object : ''}`);

describe('version schema names', () => {
  it('are the base and the release, the release made safe to write unquoted', () => {
    expect(versionSchemaName('app', 'v2')).toBe('app_v2');
    expect(versionSchemaName('app', 'Release 2.0-rc1')).toBe('app_release_2_0_rc1');
  });

  it('fit the identifier limit and stay apart for long names', () => {
    const a = versionSchemaName('a'.repeat(60), 'v2');
    const b = versionSchemaName('a'.repeat(60), 'v3');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    // The start the reader looks for survives the shortening, also for names in more than one byte per character.
    expect(a.startsWith(keptStart(`${'a'.repeat(60)}_`))).toBe(true);
    const wide = 'é'.repeat(40);
    expect(versionSchemaName(wide, 'v2').startsWith(keptStart(`${wide}_`))).toBe(true);
    expect(Buffer.byteLength(versionSchemaName(wide, 'v2'))).toBeLessThanOrEqual(63);
  });
});

describe('version schemas selected by search_path (PostgreSQL)', () => {
  it('a pending swap gets a view of its table only, reading the shadow, dropped once the swap is done', () => {
    const { changes, selected } = versions(swapPending, 'search-path');
    expect(summary(changes)).toEqual([
      `create app_v2 window: reviews(id, title, ${SHADOW} AS rating)`,
      'drop app_v2 [reviews, _dbtide_version] after 1',
    ]);
    expect(selected).toBe('app_v2');
  });

  it('an expand already done writes nothing again; contract drops what the schema holds', () => {
    const first = versions(swapPending, 'search-path').changes[0] as Extract<Change, { kind: 'create-version-schema' }>;
    const { changes } = versions(swapPending, 'search-path', [marker('app_v2', 'v2', first.schema.signature)]);
    expect(summary(changes)).toEqual(['drop app_v2 [_dbtide_version, reviews] after 1']);
  });

  it('once no swap is pending, nothing is selected and a version schema left over is dropped', () => {
    const { changes, selected } = versions([], 'search-path', [marker('app_v2', 'v2', 'x'), marker('app_v1', 'v1', 'y')]);
    expect(summary(changes)).toEqual(['drop app_v2 [_dbtide_version, reviews] after 0', 'drop app_v1 [_dbtide_version, reviews] after 0']);
    expect(selected).toBeNull();
  });

  it('a release without a type change has none', () => {
    expect(versions([], 'search-path', [], v2plain)).toEqual({ changes: [], selected: null });
  });

  it('a schema holding what dbtide did not create is reported, never dropped', () => {
    const taken = { ...marker('app_v1', 'v1', 'y'), relations: [{ name: '_dbtide_version', view: true }, { name: 'notes', view: false }] };
    const { changes } = versions([], 'search-path', [taken]);
    expect(summary(changes)).toEqual(['drift version schema app_v1']);
    expect(changes[0]).toMatchObject({ detail: expect.stringContaining('table notes, which dbtide did not create') });
  });
});

describe('version schemas selected by the database (MySQL)', () => {
  it('a pending swap gets views of every table, rewritten over the swapped columns after contract', () => {
    const { changes, selected } = versions(swapPending, 'database');
    expect(summary(changes)).toEqual([
      `create app_v2 window: authors(id, name) reviews(id, title, ${SHADOW} AS rating)`,
      'create app_v2 final: authors(id, name) reviews(id, title, rating)',
    ]);
    expect(selected).toBe('app_v2');
  });

  it('stays after contract, and a fresh install of the release gets it too', () => {
    const fresh = versions([], 'database');
    expect(summary(fresh.changes)).toEqual(['create app_v2 final: authors(id, name) reviews(id, title, rating)']);
    const done = fresh.changes[0] as Extract<Change, { kind: 'create-version-schema' }>;
    const kept = { ...marker('app_v2', 'v2', done.schema.signature), marker: { ...done.schema, base: 'app' } };
    expect(versions([], 'database', [kept])).toEqual({ changes: [], selected: 'app_v2' });
  });

  it('views a contract stopped after the swap left reading the shadow are rewritten in contract', () => {
    const stopped = { ...marker('app_v2', 'v2', 'x', ['_dbtide_version', 'authors', 'reviews']) };
    const { changes } = versions([], 'database', [stopped]);
    expect(changes).toMatchObject([{ kind: 'create-version-schema', schema: { stage: 'final' }, afterSwap: true }]);
    const steps = plan(changes, { caps: mysqlCapabilities('10.11.6-MariaDB'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock, statements: mysqlStatements, tables: v2.model.tables }).steps;
    expect(steps.map((s) => `${s.phase} ${s.id}`)).toEqual(['contract create-version-schema:app_v2.final']);
  });

  it("goes with a later release's contract", () => {
    const { changes, selected } = versions([], 'database', [marker('app_v2', 'v2', 'x', ['_dbtide_version', 'authors', 'reviews'])], v2plain);
    expect(summary(changes)).toEqual(['drop app_v2 [_dbtide_version, authors, reviews] after 0']);
    expect(selected).toBeNull();
  });
});

describe('version schema steps', () => {
  const stepsFor = (selection: VersionSelection) => {
    const caps = selection === 'search-path' ? postgresCapabilities('15') : mysqlCapabilities('10.11.6-MariaDB');
    const sql = selection === 'search-path' ? postgresCompiler : mysqlCompiler;
    const transitions = selection === 'search-path' ? postgresTransitions : mysqlTransitions;
    const changes = [...swapPending, ...versions(swapPending, selection).changes];
    const batchLock = (selection === 'search-path' ? postgresBackfill : mysqlBackfill).batchLock;
    const statements = selection === 'search-path' ? postgresStatements : mysqlStatements;
    return plan(changes, { caps, sql, transitions, batchLock, statements, tables: v2.model.tables }).steps;
  };

  it('the views come after the shadow column and the trigger in expand; the drop after the swap in contract', () => {
    const ids = stepsFor('search-path').map((s) => `${s.phase} ${s.id}`);
    const at = (id: string) => {
      const i = ids.findIndex((s) => s.endsWith(id));
      if (i === -1) throw new Error(`no step ${id} in ${ids.join(', ')}`);
      return i;
    };
    expect(ids).toContain('expand create-version-schema:app_v2.window');
    expect(ids).toContain('contract drop-version-schema:app_v2');
    const install = swapPending.find((c): c is Extract<Change, { kind: 'install-sync' }> => c.kind === 'install-sync')!;
    expect(at('create-version-schema:app_v2.window')).toBeGreaterThan(at(`install-sync:reviews.${install.sync.trigger}`));
    expect(at('create-version-schema:app_v2.window')).toBeGreaterThan(at(`add-column:reviews.${SHADOW}`));
    expect(at('drop-version-schema:app_v2')).toBeGreaterThan(at('swap-column:reviews.rating'));
  });

  it("PostgreSQL drops the views before a rewrite of another column of the table (it refuses to change a type a view reads)", () => {
    const v2both = normalizeSchema(defineSchema({
      release: 'v2',
      extends: v1,
      tables: { reviews: { columns: { rating: 'int', title: 'varchar(20)' } } },
      transitions: [changeType('reviews', 'rating')],
    }));
    const changes = diff(v2both, { tables: liveTables, owned: noOwnedObjects() });
    const all = [...changes, ...versions(changes, 'search-path', [], v2both).changes];
    const ids = plan(all, { caps: postgresCapabilities('15'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: v2both.model.tables }).steps.map((s) => `${s.phase} ${s.id}`);
    expect(ids).toContain('contract alter-column-type:reviews.title');
    expect(ids.indexOf('contract drop-version-schema:app_v2')).toBeGreaterThan(-1);
    expect(ids.indexOf('contract drop-version-schema:app_v2')).toBeLessThan(ids.indexOf('contract alter-column-type:reviews.title'));
  });

  it('MySQL rewrites the views after the swap, in contract', () => {
    const ids = stepsFor('database').map((s) => `${s.phase} ${s.id}`);
    expect(ids).toContain('expand create-version-schema:app_v2.window');
    expect(ids.indexOf('contract swap-column:reviews.rating')).toBeGreaterThan(-1);
    expect(ids.indexOf('contract create-version-schema:app_v2.final')).toBeGreaterThan(ids.indexOf('contract swap-column:reviews.rating'));
  });

  it('renders simple views under the declared names between an unfinished and a final marker, and passes the phase guard', () => {
    for (const selection of ['search-path', 'database'] as const) {
      const steps = stepsFor(selection).filter((s) => s.operation.endsWith('version-schema'));
      const classifier = selection === 'search-path' ? postgresStatements : mysqlStatements;
      for (const s of steps) expect(() => guardStep(s.phase, s.sql, classifier)).not.toThrow();
      const window = steps.find((s) => s.id.endsWith('.window'))!;
      expect(window.lock.blocksWrites).toBe(false);
      expect(window.sql.at(-1)).toMatch(/_dbtide_version.* AS SELECT .*'app'.*'v2'.*'window'/);
    }
    const pg = stepsFor('search-path').find((s) => s.id.endsWith('.window'))!.sql;
    expect(pg).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "app_v2"',
      `CREATE OR REPLACE VIEW "app_v2"."_dbtide_version" AS SELECT 'app'::text AS base_schema, 'v2'::text AS release_name, 'unfinished'::text AS signature, 'window'::text AS stage`,
      `CREATE OR REPLACE VIEW "app_v2"."reviews" AS SELECT "id", "title", "${SHADOW}" AS "rating" FROM "app"."reviews"`,
      expect.stringMatching(/^CREATE OR REPLACE VIEW "app_v2"."_dbtide_version" AS SELECT 'app'::text AS base_schema, 'v2'::text AS release_name, '[0-9a-f]{16}'::text AS signature/),
    ]);
    const my = stepsFor('database').find((s) => s.id.endsWith('.final'))!.sql;
    expect(my[0]).toBe('CREATE DATABASE IF NOT EXISTS `app_v2`');
    expect(my).toContain('CREATE OR REPLACE VIEW `app_v2`.`reviews` AS SELECT `id`, `title`, `rating` FROM `app`.`reviews`');
    expect(stepsFor('search-path').find((s) => s.operation === 'drop-version-schema')!.sql).toEqual([
      'DROP VIEW IF EXISTS "app_v2"."reviews"',
      'DROP VIEW IF EXISTS "app_v2"."_dbtide_version"',
      'DROP SCHEMA IF EXISTS "app_v2"',
    ]);
  });
});
