import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresScan } from '../../dialects/postgres/scan.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { Schema, SchemaInput, TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import { diff } from '../../src/diff/diff.js';
import { sameExclusion } from '../../src/diff/same-object.js';
import type { ExclusionModel, SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { refuseConstraintFeatures } from '../../src/plan/constraint-features.js';
import { plan } from '../../src/plan/planner.js';
import { T, column, idColumn, table } from '../support/model-builders.js';
import { declarationIssues } from '../support/declaration-issues.js';

const bookings: TableInput = {
  columns: { id: 'bigint', room: 'int', during: { type: { native: 'tsrange' } }, active: 'boolean' },
  primaryKey: ['id'],
};
const withExclusion: TableInput = {
  ...bookings,
  exclusions: [{ elements: [{ column: 'room', operator: '=' }, { column: 'during', operator: '&&' }], where: 'active' }],
};

const declare = (tables: Record<string, TableInput>, extra: Partial<SchemaInput> = {}) => normalizeSchema(defineSchema({ release: 'x1', tables, ...extra }));
const issuesOf = (tables: Record<string, TableInput>): string[] => declarationIssues(() => declare(tables));

const EXCL: ExclusionModel = { name: 'bookings_room_during_excl', using: 'gist', columns: ['room', 'during'], operators: ['=', '&&'], where: 'active' };
const liveBookings = (exclusions?: ExclusionModel[]): TableModel =>
  table('bookings', {
    columns: [idColumn(), column('room', T.int), column('during', { kind: 'native', sql: 'tsrange' }), column('active', { kind: 'boolean' })],
    ...(exclusions ? { exclusions } : {}),
  });
const live = (t: TableModel): SchemaModel => ({ tables: { [t.name]: t } });

const pg = postgresCapabilities('15.4');
const runPlan = (changes: ReturnType<typeof diff>, tables: Record<string, TableModel>) =>
  plan(changes, { caps: pg, sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables });

describe('exclusion constraints: declaration', () => {
  it('normalizes elements into index entries with an operator each, gist and a generated name by default', () => {
    const d = declare({
      bookings: {
        ...bookings,
        exclusions: [
          ...withExclusion.exclusions!,
          { name: 'bookings_lower', using: 'GiST', elements: [{ expression: 'int4range(room, room + 1)', operator: '&&', opclass: 'range_ops' }] },
        ],
      },
    });
    expect(d.model.tables.bookings!.exclusions).toEqual([
      { name: 'bookings_lower', using: 'gist', columns: ['int4range(room, room + 1) range_ops'], operators: ['&&'], where: null },
      EXCL,
    ]);
    expect(declare({ bookings }).model.tables.bookings).not.toHaveProperty('exclusions');
  });

  it('reports a missing or empty operator before anything else', () => {
    expect(issuesOf({
      bookings: { ...bookings, exclusions: [{ elements: [{ column: 'room' } as never, { column: 'room', operator: ' ' }] }] },
    })).toEqual([
      'tables.bookings.exclusions[0].elements[0].operator: is required (a non-empty string)',
      'tables.bookings.exclusions[0].elements[1].operator: must not be empty',
    ]);
  });

  it('reports an unknown column, an element with both or neither of column and expression, a name used twice', () => {
    expect(issuesOf({
      bookings: {
        ...bookings,
        uniques: [{ name: 'taken', columns: ['room'] }],
        exclusions: [
          { name: 'taken', elements: [{ column: 'nope', operator: '=' }] },
          { name: 'x2', elements: [{ column: 'room', expression: 'room', operator: '=' } as never, { operator: '=' } as never] },
        ],
      },
    })).toEqual([
      'tables.bookings.exclusions.taken.elements[0]: unknown column "nope"; an expression goes in `expression`',
      'tables.bookings.exclusions.x2.elements[0]: give either `column` or `expression`',
      'tables.bookings.exclusions.x2.elements[1]: give either `column` or `expression`',
      'tables.bookings.exclusions.taken: name "taken" is already used by tables.bookings.uniques.taken in the same table; give one of them another name',
    ]);
  });

  it('is refused on MySQL and MariaDB before anything runs, naming each constraint', () => {
    expect(() => refuseConstraintFeatures(declare({ bookings: withExclusion }), mysqlCapabilities('10.11.6-MariaDB'))).toThrow(
      'release x1 declares constraints MariaDB 10.11.6 does not have; nothing was changed:\n  tables.bookings.exclusions.bookings_room_during_excl: an exclusion constraint',
    );
    expect(() => refuseConstraintFeatures(declare({ bookings: withExclusion }), pg)).not.toThrow();
  });
});

describe('exclusion constraints: comparison, diff and plan', () => {
  it('compares entries as indexes do, operators by name', () => {
    expect(sameExclusion(EXCL, { ...EXCL, operators: ['OPERATOR(pg_catalog.=)', '&&'], where: '(active)' })).toBe(true);
    expect(sameExclusion(EXCL, { ...EXCL, columns: ['room int4_ops', 'during'], defaultOpclasses: [null, 'range_ops'] })).toBe(false);
    expect(sameExclusion({ ...EXCL, columns: ['room int4_ops', 'during'] }, { ...EXCL, defaultOpclasses: ['int4_ops', 'range_ops'] })).toBe(true);
    expect(sameExclusion(EXCL, { ...EXCL, operators: ['=', '@>'] })).toBe(false);
    expect(sameExclusion(EXCL, { ...EXCL, using: 'spgist' })).toBe(false);
    expect(sameExclusion(EXCL, { ...EXCL, where: null })).toBe(false);
  });

  it('a new table creates it in expand, inside CREATE TABLE', () => {
    const d = declare({ bookings: withExclusion });
    const steps = runPlan(diff(d, { tables: {} }), d.model.tables).steps;
    expect(steps.map((s) => [s.phase, s.id])).toEqual([['expand', 'create-table:bookings']]);
    expect(steps[0]!.sql[0]).toContain('CONSTRAINT "bookings_room_during_excl" EXCLUDE USING gist ("room" WITH =, "during" WITH &&) WHERE (active)');
  });

  it('on a live table it is added in contract, after a precheck for colliding rows, blocking writes', () => {
    const d = declare({ bookings: withExclusion });
    const { steps, warnings } = runPlan(diff(d, live(liveBookings())), d.model.tables);
    expect(steps.map((s) => [s.phase, s.id, s.sql, s.lock.blocksWrites, s.lock.level])).toEqual([[
      'contract',
      'add-exclusion:bookings.bookings_room_during_excl',
      ['ALTER TABLE "bookings" ADD CONSTRAINT "bookings_room_during_excl" EXCLUDE USING gist ("room" WITH =, "during" WITH &&) WHERE (active)'],
      true,
      'ACCESS EXCLUSIVE while its index is built and every row checked (reads and writes wait)',
    ]]);
    expect(steps[0]!.prechecks.map((p) => p.kind)).toEqual(['exclusion']);
    expect(warnings).toEqual([
      'bookings.bookings_room_during_excl: PostgreSQL 15.4 builds an exclusion constraint\'s index and checks every row of bookings while reads and writes wait; it runs in contract',
    ]);
    expect(postgresScan.offenders('bookings', steps[0]!.prechecks[0]!.rule, ['id'])).toBe(
      'WITH k AS (SELECT t.ctid AS _dbtide_row, t."id", t."room" AS _dbtide_key0, t."during" AS _dbtide_key1 FROM "bookings" t WHERE (active)) ' +
        'SELECT a."id" FROM k a WHERE EXISTS (SELECT 1 FROM k b WHERE b._dbtide_row <> a._dbtide_row AND a._dbtide_key0 = b._dbtide_key0 AND a._dbtide_key1 && b._dbtide_key1)',
    );
  });

  it('a changed one is dropped and added in contract; a same one plans nothing', () => {
    const d = declare({ bookings: withExclusion });
    expect(diff(d, live(liveBookings([EXCL])))).toEqual([]);
    const changed = liveBookings([{ ...EXCL, operators: ['=', '@>'] }]);
    expect(runPlan(diff(d, live(changed)), d.model.tables).steps.map((s) => [s.phase, s.id, s.sql[0]])).toEqual([
      ['contract', 'drop-constraint:bookings.bookings_room_during_excl', 'ALTER TABLE "bookings" DROP CONSTRAINT IF EXISTS "bookings_room_during_excl"'],
      ['contract', 'add-exclusion:bookings.bookings_room_during_excl', expect.stringContaining('ADD CONSTRAINT')],
    ]);
  });

  it('a tombstoned one is dropped in expand (relaxing); an undeclared one is drift', () => {
    const tombstoned = normalizeSchema(defineSchema({
      release: 'x2',
      extends: defineSchema({ release: 'x1', tables: { bookings: withExclusion } }),
      tables: { bookings: { removed: { constraints: ['bookings_room_during_excl'] } } },
    }));
    const steps = runPlan(diff(tombstoned, live(liveBookings([EXCL]))), tombstoned.model.tables).steps;
    expect(steps.map((s) => [s.phase, s.id, s.relaxing])).toEqual([['expand', 'drop-constraint:bookings.bookings_room_during_excl', true]]);
    expect(diff(declare({ bookings }), live(liveBookings([EXCL])))).toEqual([
      { kind: 'drift', table: 'bookings', object: 'exclusion bookings_room_during_excl', detail: 'USING gist (room WITH =, during WITH &&) WHERE active not in the declaration' },
    ]);
  });
});

describe('exclusion constraints: pull', () => {
  const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders elements as declared and round-trips', async () => {
    const model: SchemaModel = {
      tables: {
        bookings: {
          ...liveBookings([
            EXCL,
            { name: 'custom', using: 'spgist', columns: ['during range_ops'], operators: ['&&'], where: null },
            { name: 'bookings_int4range_room_room_1_excl', using: 'gist', columns: ['int4range(room, room + 1)'], operators: ['&&'], where: null },
          ].sort((a, b) => (a.name < b.name ? -1 : 1))),
          primaryKey: { name: 'bookings_pkey', columns: ['id'] },
        },
      },
    };
    const source = renderDeclaration(model, { release: 'r', importFrom: INDEX });
    expect(source).toContain("elements: [{ column: 'room', operator: '=' }, { column: 'during', operator: '&&' }],\n          where: 'active',");
    expect(source).toContain("name: 'custom',\n          using: 'spgist',\n          elements: [{ column: 'during', operator: '&&', opclass: 'range_ops' }],");
    expect(source).toContain("{ elements: [{ expression: 'int4range(room, room + 1)', operator: '&&' }] }");
    dir = await mkdtemp(join(tmpdir(), 'dbtide-excl-'));
    const file = join(dir, 'release.ts');
    await writeFile(file, source);
    const { default: schema } = (await import(pathToFileURL(file).href)) as { default: Schema };
    expect(normalizeSchema(schema).model).toEqual(model);
  });
});

describe('exclusion constraints and type changes', () => {
  it('a column an exclusion constraint reads cannot change type online: refused when declared', () => {
    const v1 = defineSchema({ release: 'x1', tables: { bookings: withExclusion } });
    const issues = (() => {
      try {
        normalizeSchema(defineSchema({
          release: 'x2',
          extends: v1,
          tables: { bookings: { columns: { room: 'bigint' } } },
          transitions: [{ kind: 'change-type', table: 'bookings', column: 'room' }],
        }));
        return [];
      } catch (error) {
        return (error as { issues: { message: string }[] }).issues.map((i) => i.message);
      }
    })();
    expect(issues).toEqual([
      expect.stringContaining('"room" is used by exclusion constraint bookings_room_during_excl; the type of a key or referenced column cannot change online yet'),
      expect.stringContaining('bookings.room carries exclusion constraint bookings_room_during_excl in the previous release x1, which contract\'s swap would drop'),
    ]);
  });
});

describe('exclusion constraints: renames and deferrability', () => {
  const v1 = defineSchema({ release: 'x1', tables: { bookings: withExclusion } });

  it('renameConstraint renames one in place in contract, carried over from the previous release', () => {
    const d = normalizeSchema(defineSchema({
      release: 'x2',
      extends: v1,
      transitions: [{ kind: 'rename-constraint', table: 'bookings', from: 'bookings_room_during_excl', to: 'no_double_booking' }],
    }));
    expect(d.model.tables.bookings!.exclusions!.map((x) => x.name)).toEqual(['no_double_booking']);
    const steps = runPlan(diff(d, live(liveBookings([EXCL]))), d.model.tables).steps;
    expect(steps.map((s) => [s.phase, s.sql])).toEqual([['contract', ['ALTER TABLE "bookings" RENAME CONSTRAINT "bookings_room_during_excl" TO "no_double_booking"']]]);
  });

  it('a deferrable one says so in its clause, and a change of deferrability is a changed constraint', () => {
    const d = declare({ bookings: { ...withExclusion, exclusions: [{ ...withExclusion.exclusions![0]!, deferrable: 'deferred' }] } });
    expect(d.model.tables.bookings!.exclusions![0]!.deferrable).toBe('deferred');
    expect(postgresCompiler.createTable(d.model.tables.bookings!).sql).toContain('WHERE (active) DEFERRABLE INITIALLY DEFERRED');
    expect(runPlan(diff(d, live(liveBookings([EXCL]))), d.model.tables).steps.map((s) => s.id)).toEqual([
      'drop-constraint:bookings.bookings_room_during_excl',
      'add-exclusion:bookings.bookings_room_during_excl',
    ]);
  });
});
