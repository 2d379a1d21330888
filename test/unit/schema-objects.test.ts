/**
 * Sequences, domains and enum types, from the declaration to the SQL: validation errors with their
 * paths, merging along a chain, the diff's change kinds and drift, the planner's phases and order,
 * the PostgreSQL statements (and how the phase policy reads them), and pull's rendering.
 */
import { describe, expect, it } from 'vitest';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresSchemaObjects as pg } from '../../dialects/postgres/schema-objects.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { DeclarationError, type DeclarationIssue } from '../../src/declaration/declaration-error.js';
import { defineSchema, native, sql } from '../../src/declaration/define-schema.js';
import type { SchemaInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import { diff } from '../../src/diff/diff.js';
import type { Change } from '../../src/diff/changes.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import { namedType } from '../../src/model/named-types.js';
import type { DeclaredSchema, SchemaModel, SequenceModel } from '../../src/model/schema-model.js';
import { plan } from '../../src/plan/planner.js';
import { compareSchemas } from '../../src/verify/compare-schemas.js';
import { refuseSchemaObjects, removedObjectsInUse } from '../../src/plan/schema-objects.js';

const declare = (input: Omit<SchemaInput, 'release'>): DeclaredSchema => normalizeSchema(defineSchema({ release: 'r', ...input }));

function issuesOf(input: Omit<SchemaInput, 'release'>): DeclarationIssue[] {
  try {
    declare(input);
  } catch (error) {
    if (error instanceof DeclarationError) return error.issues;
    throw error;
  }
  return [];
}

const people = { people: { columns: { id: 'int', mood: { type: native('mood') }, no: { type: 'bigint', default: sql("nextval('seq')") } }, primaryKey: ['id'] } };

const sequence = (name: string, overrides: Partial<SequenceModel> = {}): SequenceModel => ({
  name, type: 'bigint', start: '1', increment: '1', min: '1', max: '9223372036854775807', cache: '1', cycle: false, ownedBy: null, ...overrides,
});

describe('declaring sequences, domains and enum types', () => {
  it('fills in PostgreSQL\'s defaults: `{}` is a bigint sequence from 1; a descending one counts down from -1', () => {
    const { model } = declare({ sequences: { up: {}, down: { increment: -1 }, small: { type: 'smallint', start: '10', cache: 20, cycle: true } } });
    expect(model.sequences).toEqual({
      down: sequence('down', { increment: '-1', min: '-9223372036854775808', max: '-1', start: '-1' }),
      small: sequence('small', { type: 'smallint', start: '10', max: '32767', cache: '20', cycle: true }),
      up: sequence('up'),
    });
  });

  it('keeps bounds past JavaScript\'s numbers exact, written as strings', () => {
    const { model } = declare({ sequences: { big: { min: '-9223372036854775807', start: '9007199254740993' } } });
    expect(model.sequences!.big).toMatchObject({ min: '-9223372036854775807', start: '9007199254740993' });
  });

  it('leaves the model without the kinds a release does not use, so existing snapshots stay as they are', () => {
    const declared = declare({ tables: people });
    expect(Object.keys(declared.model)).toEqual(['tables']);
    expect(Object.keys(declared.removed)).toEqual(['tables', 'columns', 'indexes', 'constraints']);
  });

  it('sorts domain checks by name and names an unnamed one <domain>_check', () => {
    const { model } = declare({ domains: { year: { type: 'int', nullable: false, default: 2000, checks: [{ name: 'z', expression: ' VALUE < 3000 ' }, { expression: 'VALUE > 1900' }] } } });
    expect(model.domains!.year).toEqual({
      name: 'year', type: { kind: 'int' }, notNull: true, default: { kind: 'literal', value: 2000 },
      checks: [{ name: 'year_check', expression: 'VALUE > 1900' }, { name: 'z', expression: 'VALUE < 3000' }],
    });
  });

  it.each<[string, Omit<SchemaInput, 'release'>, string, RegExp]>([
    ['an unknown sequence option', { sequences: { s: { minValue: 1 } as never } }, 'sequences.s.minValue', /unknown key "minValue"; write `min:`/],
    ['a sequence number that is not whole', { sequences: { s: { start: '1.5' } } }, 'sequences.s.start', /whole number/],
    ['a sequence type dbtide does not know', { sequences: { s: { type: 'numeric' as never } } }, 'sequences.s.type', /one of "smallint", "int", "bigint"/],
    ['an increment of 0', { sequences: { s: { increment: 0 } } }, 'sequences.s.increment', /must not be 0/],
    ['min not below max', { sequences: { s: { min: 5, max: 5 } } }, 'sequences.s', /min \(5\) must be less than max \(5\)/],
    ['a start outside the bounds', { sequences: { s: { start: 0 } } }, 'sequences.s.start', /0 is outside min 1/],
    ['bounds outside the type', { sequences: { s: { type: 'smallint', max: 40000 } } }, 'sequences.s', /within smallint/],
    ['an owner that is not declared', { sequences: { s: { ownedBy: { table: 'nobody', column: 'id' } } } }, 'sequences.s.ownedBy', /unknown table "nobody"/],
    ['an owner column that is not declared', { tables: people, sequences: { s: { ownedBy: { table: 'people', column: 'nope' } } } }, 'sequences.s.ownedBy', /unknown column "nope" of table "people"/],
    ['a sequence named like a table', { tables: people, sequences: { people: {} } }, 'sequences.people', /also declared in tables/],
    ['an enum value listed twice', { enums: { mood: ['a', 'b', 'a'] } }, 'enums.mood[2]', /value "a" is listed twice/],
    ['an empty enum', { enums: { mood: [] } }, 'enums.mood', /must not be empty/],
    ['a domain without a type', { domains: { d: {} as never } }, 'domains.d.type', /is required/],
    ['a domain with an unknown type', { domains: { d: { type: 'integr' } } }, 'domains.d', /unknown type "integr"/],
    ['a domain saying notNull', { domains: { d: { type: 'int', notNull: true } as never } }, 'domains.d.notNull', /write `nullable: false`/],
    ['two domain checks of one name', { domains: { d: { type: 'int', checks: [{ expression: 'VALUE > 0' }, { expression: 'VALUE < 9' }] } } }, 'domains.d.checks[1]', /name "d_check" is used by another check/],
    ['a domain named like an enum', { domains: { mood: { type: 'int' } }, enums: { mood: ['a'] } }, 'domains.mood', /also declared in enums/],
    ['a removed value still listed', { enums: { mood: ['a', 'b'] }, removed: { enumValues: { mood: ['b'] } } }, 'removed.enumValues.mood', /"b" is still listed in enums\.mood/],
    ['a removed value of an enum not declared', { removed: { enumValues: { mood: ['b'] } } }, 'removed.enumValues.mood', /enum "mood" is not declared; to drop the whole type, list it in removed\.enums/],
    ['a removed sequence still declared', { sequences: { s: {} }, removed: { sequences: ['s'] } }, 'removed.sequences', /"s" is still declared/],
    ['a removed enum still declared', { enums: { e: ['a'] }, removed: { enums: ['e'] } }, 'removed.enums', /"e" is still declared/],
    ['an unknown removal kind', { removed: { types: ['x'] } as never }, 'removed.types', /unknown key "types"/],
  ])('refuses %s, naming where', (_what, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)!.message).toMatch(message);
  });

  it('merges them along a chain: a later release replaces, removes, and re-declares', () => {
    const v1 = defineSchema({ release: 'v1', sequences: { a: {}, b: {} }, enums: { mood: ['x', 'y'] }, domains: { d: { type: 'int' } } });
    const v2 = defineSchema({ release: 'v2', extends: v1, sequences: { a: { start: 5 } }, enums: { mood: ['x'] }, removed: { sequences: ['b'], domains: ['d'], enumValues: { mood: ['y'] } } });
    const two = normalizeSchema(v2);
    expect(Object.keys(two.model.sequences!)).toEqual(['a']);
    expect(two.model.sequences!.a!.start).toBe('5');
    expect(two.model.domains).toBeUndefined();
    expect(two.removed).toMatchObject({ sequences: ['b'], domains: ['d'], enumValues: [{ enum: 'mood', value: 'y' }] });
    // Removals accumulate, unless a later release declares the object or the value again.
    const v3 = defineSchema({ release: 'v3', extends: v2, sequences: { b: {} }, enums: { mood: ['x', 'y'] } });
    const three = normalizeSchema(v3);
    expect(three.removed.sequences).toBeUndefined();
    expect(three.removed.enumValues).toBeUndefined();
    expect(three.removed.domains).toEqual(['d']);
  });
});

const live = (model: Partial<SchemaModel>): SchemaModel => ({ tables: {}, ...model });
const kinds = (changes: Change[]) => changes.map((c) => (c.kind === 'drift' ? `drift ${c.object}: ${c.detail}` : `${c.kind} ${JSON.stringify({ ...c, kind: undefined, table: undefined })}`));
const ids = (changes: Change[]) => changes.map((c) => c.kind === 'drift' ? `drift ${c.object}` : c.kind);

describe('comparing them', () => {
  it('creates what is declared and missing; a sequence owned by a column gets its owner set', () => {
    const declared = declare({ tables: people, sequences: { seq: { ownedBy: { table: 'people', column: 'no' } } }, enums: { mood: ['a'] }, domains: { d: { type: 'int' } } });
    expect(ids(diff(declared, live({})))).toEqual(['create-sequence', 'sequence-owner', 'create-enum', 'create-domain', 'create-table']);
  });

  it('changes sequence options and owners in place; nothing when equal', () => {
    const declared = declare({ tables: people, sequences: { seq: { increment: 2, ownedBy: { table: 'people', column: 'no' } } } });
    const same = live({ tables: declared.model.tables, sequences: declared.model.sequences! });
    expect(diff(declared, same)).toEqual([]);
    const changes = diff(declared, live({ tables: declared.model.tables, sequences: { seq: sequence('seq') } }));
    expect(ids(changes)).toEqual(['alter-sequence', 'sequence-owner']);
  });

  it('adds enum values in the declared order: after the value declared before, or before the first', () => {
    const declared = declare({ enums: { mood: ['new0', 'a', 'mid', 'b', 'c', 'end'] } });
    const changes = diff(declared, live({ enums: { mood: { name: 'mood', values: ['a', 'b', 'c'] } } }));
    expect(changes.map((c) => (c.kind === 'add-enum-value' ? [c.value, c.before ?? null, c.after ?? null] : c.kind))).toEqual([
      ['new0', 'a', null],
      ['mid', null, 'a'],
      ['end', null, 'c'],
    ]);
  });

  it('reports reordered values, and live values neither declared nor removed, as drift with what to do', () => {
    const reordered = diff(declare({ enums: { mood: ['b', 'a'] } }), live({ enums: { mood: { name: 'mood', values: ['a', 'b'] } } }));
    expect(kinds(reordered)).toEqual([expect.stringMatching(/^drift enum type mood: values are in the order \(a, b\), declared \(b, a\); PostgreSQL cannot reorder/)]);
    const extra = diff(declare({ enums: { mood: ['a'] } }), live({ enums: { mood: { name: 'mood', values: ['a', 'b'] } } }));
    expect(kinds(extra)).toEqual(['drift enum type mood: values b not in the declaration; declare them, or list them in removed.enumValues.mood']);
  });

  it('rebuilds an enum whose removed values go, naming its columns; refuses (drift) when a domain is built over it', () => {
    const declared = declare({ tables: people, enums: { mood: ['a'] }, removed: { enumValues: { mood: ['b'] } } });
    const [rebuild] = diff(declared, live({ tables: declared.model.tables, enums: { mood: { name: 'mood', values: ['a', 'b'] } } }));
    expect(rebuild).toMatchObject({ kind: 'rebuild-enum', removed: ['b'], enum: { values: ['a'] } });
    expect(rebuild!.kind === 'rebuild-enum' && rebuild.users.map((u) => `${u.table}.${u.column.name}`)).toEqual(['people.mood']);
    const withDomain = declare({ enums: { mood: ['a'] }, domains: { feeling: { type: native('mood') } }, removed: { enumValues: { mood: ['b'] } } });
    const changes = diff(withDomain, live({ enums: { mood: { name: 'mood', values: ['a', 'b'] } }, domains: withDomain.model.domains! }));
    expect(kinds(changes)).toEqual([expect.stringMatching(/^drift enum type mood: values b are removed, but domains feeling are built over the type/)]);
  });

  it('changes a domain\'s default and NOT NULL, adds and drops its checks; its type is drift', () => {
    const declared = declare({ domains: { d: { type: 'int', nullable: false, default: 1, checks: [{ name: 'pos', expression: 'VALUE > 0' }, { name: 'small', expression: 'VALUE < 10' }] } } });
    const have = { d: { name: 'd', type: { kind: 'int' as const }, notNull: false, default: null, checks: [{ name: 'small', expression: 'VALUE < 99' }, { name: 'old', expression: 'VALUE <> 5' }] } };
    expect(ids(diff(declared, live({ domains: have })))).toEqual(['domain-default', 'domain-not-null', 'add-domain-check', 'drop-domain-check', 'add-domain-check', 'drop-domain-check']);
    const dropped = diff(declared, live({ domains: have })).filter((c) => c.kind === 'drop-domain-check');
    expect(dropped).toEqual([
      { kind: 'drop-domain-check', table: '', domain: 'd', name: 'small' },
      { kind: 'drop-domain-check', table: '', domain: 'd', name: 'old', relaxes: true },
    ]);
    const unvalidated = { d: { ...declared.model.domains!.d!, checks: declared.model.domains!.d!.checks.map((c) => ({ ...c, validated: false as const })) } };
    expect(diff(declared, live({ domains: unvalidated })).map((c) => c.kind === 'add-domain-check' && c.existing)).toEqual(['unvalidated', 'unvalidated']);
    const retyped = diff(declared, live({ domains: { d: { ...declared.model.domains!.d!, type: { kind: 'bigint' } } } }));
    expect(kinds(retyped)).toEqual([expect.stringMatching(/^drift domain d: type is bigint, declared int; a domain's type is not changed online/)]);
  });

  it('drops only what the release removes; anything else undeclared is drift', () => {
    const removed = declare({ removed: { sequences: ['s'], domains: ['d'], enums: ['e'] } });
    const have = live({ sequences: { s: sequence('s') }, domains: { d: { name: 'd', type: { kind: 'int' }, notNull: false, default: null, checks: [] } }, enums: { e: { name: 'e', values: ['a'] } } });
    expect(ids(diff(removed, have))).toEqual(['drop-sequence', 'drop-enum', 'drop-domain']);
    expect(ids(diff(declare({}), have))).toEqual(['drift sequence s', 'drift enum type e', 'drift domain d']);
  });

  it('names what would still use a removed object: declared columns and domains, and live columns kept as drift', () => {
    const declared = declare({ tables: people, removed: { enums: ['mood'], sequences: ['seq'] } });
    const liveTables = { ...declared.model.tables, extra: { name: 'extra', columns: [{ name: 'm', type: { kind: 'native' as const, sql: '"mood"[]' }, nullable: true, default: null, identity: null }], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] } };
    expect(removedObjectsInUse(declared, live({ tables: liveTables }), pg)).toEqual([
      'column people.mood is of type mood',
      'column people.no draws its default from sequence seq',
      'column extra.m (live, not in the declaration) is of type mood',
    ]);
    const gone = declare({ tables: { other: { columns: { id: 'int' } } }, removed: { tables: ['people'], enums: ['mood'], sequences: ['seq'] } });
    expect(removedObjectsInUse(gone, live({ tables: declared.model.tables }), pg)).toEqual([]);
  });

  it('is refused on a server without them, before anything changes, naming each', () => {
    const declared = declare({ sequences: { s: {} }, enums: { e: ['a'] }, removed: { domains: ['d'] } });
    expect(() => refuseSchemaObjects(declared, mysqlCapabilities('10.11.6-MariaDB'))).toThrow(
      /declares sequences, domains or enum types, which MariaDB 10\.11\.6 does not have; nothing was changed:\n {2}sequences\.s: .*\n {2}domains\.d: .*\n {2}enums\.e: /,
    );
    expect(() => refuseSchemaObjects(declared, postgresCapabilities('15'))).not.toThrow();
  });
});

describe('planning them', () => {
  const caps = postgresCapabilities('15.4');
  const run = (changes: Change[]) =>
    plan(changes, { caps, sql: postgresDialect.compiler, transitions: postgresDialect.transitions, batchLock: postgresDialect.backfill.batchLock, statements: postgresStatements, tables: {} });
  const order = (changes: Change[]) => run(changes).steps.map((s) => `${s.phase} ${s.id}`);

  it('creates types and sequences in expand before the tables that use them, and owns a sequence after its table exists', () => {
    const declared = declare({ tables: people, sequences: { seq: { ownedBy: { table: 'people', column: 'no' } } }, enums: { mood: ['a'] }, domains: { d: { type: native('mood') } } });
    expect(order(diff(declared, live({})))).toEqual([
      'expand create-enum:mood',
      'expand create-sequence:seq',
      'expand create-domain:d',
      'expand create-table:people',
      'expand sequence-owner:seq',
    ]);
  });

  it('drops them in contract after the last table using them (a domain before the enum under it), and rebuilds an enum after dropped columns', () => {
    const changes: Change[] = [
      { kind: 'drop-enum', table: '', name: 'mood' },
      { kind: 'drop-domain', table: '', name: 'd' },
      { kind: 'drop-sequence', table: '', name: 's' },
      { kind: 'drop-table', table: 'people' },
      { kind: 'rebuild-enum', table: '', enum: { name: 'size', values: ['s'] }, removed: ['m'], users: [] },
      { kind: 'drop-column', table: 'orders', column: 'size' },
    ];
    expect(order(changes)).toEqual([
      'contract drop-column:orders.size',
      'contract rebuild-enum:size',
      'contract drop-table:people',
      'contract drop-sequence:s',
      'contract drop-domain:d',
      'contract drop-enum:mood',
    ]);
    expect(run(changes).steps.every((s) => s.destructive)).toBe(true);
  });

  it('puts each change in its phase: values and options in expand, a new check and NOT NULL in contract, relaxing ones in expand', () => {
    const changes: Change[] = [
      { kind: 'add-enum-value', table: '', enum: 'mood', value: 'b', after: 'a' },
      { kind: 'alter-sequence', table: '', sequence: sequence('s') },
      { kind: 'domain-default', table: '', domain: 'd', value: null },
      { kind: 'domain-not-null', table: '', domain: 'd', notNull: true, users: [] },
      { kind: 'domain-not-null', table: '', domain: 'e', notNull: false, users: [] },
      { kind: 'add-domain-check', table: '', domain: 'd', check: { name: 'c', expression: 'VALUE > 0' }, existing: 'none', users: [] },
      { kind: 'drop-domain-check', table: '', domain: 'd', name: 'old', relaxes: true },
    ];
    const planned = run(changes);
    expect(planned.steps.map((s) => `${s.phase} ${s.id} ${s.transactional ? 'tx' : 'no-tx'}`)).toEqual([
      'expand add-enum-value:mood.b no-tx',
      'expand alter-sequence:s tx',
      'expand domain-default:d tx',
      'expand drop-domain-check:d.old tx',
      'expand domain-not-null:e tx',
      'contract domain-not-null:d tx',
      'contract add-domain-check:d.c no-tx',
    ]);
    // Every statement passes the phase policy of the phase it is planned in.
    for (const s of planned.steps) expect(() => guardStep(s.phase, s.sql, postgresStatements)).not.toThrow();
    expect(planned.steps.find((s) => s.id === 'add-domain-check:d.c')!.lock.blocksWrites).toBe(true);
  });

  it('replaces a changed domain check in contract, dropping the old one first', () => {
    expect(order([
      { kind: 'add-domain-check', table: '', domain: 'd', check: { name: 'c', expression: 'VALUE > 1' }, existing: 'none', users: [] },
      { kind: 'drop-domain-check', table: '', domain: 'd', name: 'c' },
    ])).toEqual(['contract drop-domain-check:d.c', 'contract add-domain-check:d.c']);
  });

  it('checks every column of the domain for NULLs before making it NOT NULL', () => {
    const declared = declare({ tables: { t: { columns: { id: 'int', score: { type: native('d') } } } }, domains: { d: { type: 'int', nullable: false } } });
    const have = live({ tables: declared.model.tables, domains: { d: { ...declared.model.domains!.d!, notNull: false } } });
    const [step] = run(diff(declared, have)).steps;
    expect(step!.phase).toBe('contract');
    expect(step!.prechecks).toEqual([{ kind: 'not-null', table: 't', columns: ['score'], description: 't.score has no NULL (domain d becomes NOT NULL)', rule: { kind: 'not-null', columns: ['score'] } }]);
  });

  it('checks every column of the domain before adding a check to it', () => {
    const declared = declare({ tables: { t: { columns: { id: 'int', score: { type: native('d') } } } }, domains: { d: { type: 'int', checks: [{ name: 'pos', expression: "VALUE > 0 AND 'VALUE' <> \"value\"::text" }] } } });
    const have = live({ tables: declared.model.tables, domains: { d: { ...declared.model.domains!.d!, checks: [] } } });
    const [step] = run(diff(declared, have)).steps;
    expect(step!.prechecks.map((p) => [p.table, p.description, p.rule.kind === 'check' && p.rule.check.expression])).toEqual([
      ['t', `every t.score satisfies VALUE > 0 AND 'VALUE' <> "value"::text (check pos of domain d)`, `"score" > 0 AND 'VALUE' <> "value"::text`],
    ]);
  });

  it('states the rebuild\'s rewrite and checks first that no row holds a removed value', () => {
    const declared = declare({ tables: people, enums: { mood: ['a'] }, removed: { enumValues: { mood: ['b', "it's"] } } });
    const [step] = run(diff(declared, live({ tables: declared.model.tables, enums: { mood: { name: 'mood', values: ['a', 'b', "it's"] } } }))).steps;
    expect(step).toMatchObject({ phase: 'contract', destructive: true, lock: { rewritesTable: true, blocksWrites: true } });
    expect(step!.description).toBe("remove b, it's from enum type mood: the type is rebuilt, rewriting people under ACCESS EXCLUSIVE");
    expect(step!.prechecks.map((p) => [p.table, p.description, p.rule.kind === 'check' && p.rule.check.expression])).toEqual([
      ['people', "no people.mood holds b, it's (removed from enum type mood)", `CAST("mood" AS text) NOT IN ('b', 'it''s')`],
    ]);
  });
});

describe('PostgreSQL statements', () => {
  it('sequences', () => {
    expect(pg.createSequence(sequence('s', { type: 'int', max: '2147483647', cycle: true })).sql).toBe(
      'CREATE SEQUENCE IF NOT EXISTS "s" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 CYCLE',
    );
    expect(pg.alterSequence(sequence('s', { increment: '5' })).sql).toBe(
      'ALTER SEQUENCE "s" AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE',
    );
    expect(pg.sequenceOwner(sequence('s', { ownedBy: { table: 'T', column: 'c' } })).sql).toBe('ALTER SEQUENCE "s" OWNED BY "T"."c"');
    expect(pg.sequenceOwner(sequence('s')).sql).toBe('ALTER SEQUENCE "s" OWNED BY NONE');
    expect(pg.dropSequence('s"q').sql).toBe('DROP SEQUENCE IF EXISTS "s""q"');
  });

  it('reads the sequence a default draws from', () => {
    expect(pg.sequenceOfDefault("nextval('actor_actor_id_seq'::regclass)")).toBe('actor_actor_id_seq');
    expect(pg.sequenceOfDefault("nextval('public.\"Odd\"\"Seq\"'::regclass)")).toBe('Odd"Seq');
    expect(pg.sequenceOfDefault("nextval('Plain')")).toBe('plain');
    expect(pg.sequenceOfDefault('now()')).toBeNull();
  });

  it('domains, with a non-ASCII name quoted', () => {
    expect(pg.createDomain({ name: 'bıgınt', type: { kind: 'bigint' }, notNull: false, default: null, checks: [] }).sql).toBe('CREATE DOMAIN "bıgınt" AS bigint');
    expect(pg.createDomain({ name: 'year', type: { kind: 'int' }, notNull: true, default: { kind: 'literal', value: 2000 }, checks: [{ name: 'year_check', expression: 'VALUE > 1900' }] }).sql).toBe(
      'CREATE DOMAIN "year" AS integer DEFAULT 2000 NOT NULL CONSTRAINT "year_check" CHECK (VALUE > 1900)',
    );
    expect(pg.domainDefault('d', { kind: 'literal', value: "it's" }).sql).toBe(`ALTER DOMAIN "d" SET DEFAULT 'it''s'`);
    expect(pg.domainDefault('d', null).sql).toBe('ALTER DOMAIN "d" DROP DEFAULT');
    expect(pg.domainNotNull('d', true).sql).toBe('ALTER DOMAIN "d" SET NOT NULL');
    expect(pg.domainNotNull('d', false).sql).toBe('ALTER DOMAIN "d" DROP NOT NULL');
    expect(pg.addDomainCheck('d', { name: 'c', expression: 'VALUE > 0' }).sql).toBe('ALTER DOMAIN "d" ADD CONSTRAINT "c" CHECK (VALUE > 0) NOT VALID');
    expect(pg.validateDomainCheck('d', 'c').sql).toBe('ALTER DOMAIN "d" VALIDATE CONSTRAINT "c"');
    expect(pg.dropDomainCheck('d', 'c').sql).toBe('ALTER DOMAIN "d" DROP CONSTRAINT IF EXISTS "c"');
    expect(pg.dropDomain('d').sql).toBe('DROP DOMAIN IF EXISTS "d"');
  });

  it('enum types: created, grown in place, rebuilt through text keeping defaults, dropped', () => {
    expect(pg.createEnum({ name: 'mood', values: ['a', "it's"] }).sql).toBe(`CREATE TYPE "mood" AS ENUM ('a', 'it''s')`);
    expect(pg.addEnumValue('mood', 'b', { after: 'a' }).sql).toBe(`ALTER TYPE "mood" ADD VALUE IF NOT EXISTS 'b' AFTER 'a'`);
    expect(pg.addEnumValue('mood', 'z', { before: 'a' }).sql).toBe(`ALTER TYPE "mood" ADD VALUE IF NOT EXISTS 'z' BEFORE 'a'`);
    expect(pg.addEnumValue('mood', 'only', {}).sql).toBe(`ALTER TYPE "mood" ADD VALUE IF NOT EXISTS 'only'`);
    const users = [
      { table: 't', column: { name: 'm', type: { kind: 'native' as const, sql: 'mood' }, nullable: true, default: { kind: 'sql' as const, expression: "'a'::mood" }, identity: null } },
      { table: 'u', column: { name: 'ms', type: { kind: 'native' as const, sql: 'mood[]' }, nullable: true, default: null, identity: null } },
    ];
    expect(pg.rebuildEnum({ name: 'mood', values: ['a'] }, users).map((s) => s.sql)).toEqual([
      'ALTER TYPE "mood" RENAME TO "_dbtide_mood"',
      `CREATE TYPE "mood" AS ENUM ('a')`,
      'ALTER TABLE "t" ALTER COLUMN "m" DROP DEFAULT',
      'ALTER TABLE "t" ALTER COLUMN "m" TYPE "mood" USING "m"::text::"mood"',
      `ALTER TABLE "t" ALTER COLUMN "m" SET DEFAULT 'a'::mood`,
      'ALTER TABLE "u" ALTER COLUMN "ms" TYPE "mood"[] USING "ms"::text[]::"mood"[]',
      'DROP TYPE "_dbtide_mood"',
    ]);
    expect(pg.dropEnum('mood').sql).toBe('DROP TYPE IF EXISTS "mood"');
  });

  it('the probe\'s setup: a grown enum stands renamed away behind the declared one; new objects are created', () => {
    expect(pg.probeSetup({ sequences: [sequence('s')], domains: [{ name: 'd', type: { kind: 'int' }, notNull: false, default: null, checks: [] }], enums: [{ name: 'e', values: ['x'] }], grownEnums: [{ name: 'g', values: ['a', 'b'] }] })).toEqual([
      'ALTER TYPE "g" RENAME TO "_dbtide_g"',
      `CREATE TYPE "g" AS ENUM ('a', 'b')`,
      `CREATE TYPE "e" AS ENUM ('x')`,
      'CREATE DOMAIN "d" AS integer',
      'CREATE SEQUENCE IF NOT EXISTS "s" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE',
    ]);
  });

  it.each([
    ['CREATE DOMAIN "d" AS integer', 'additive'],
    ['ALTER TYPE "mood" ADD VALUE IF NOT EXISTS \'b\' AFTER \'a\'', 'additive'],
    ['ALTER SEQUENCE "s" OWNED BY "t"."c"', 'additive'],
    ['ALTER SEQUENCE "s" AS bigint INCREMENT BY 5', 'tightening'],
    ['ALTER DOMAIN "d" DROP CONSTRAINT IF EXISTS "c"', 'relaxing'],
    ['ALTER DOMAIN "d" DROP NOT NULL', 'relaxing'],
    ['ALTER DOMAIN "d" SET DEFAULT 1', 'additive'],
    ['ALTER DOMAIN "d" ADD CONSTRAINT "c" CHECK (VALUE > 0) NOT VALID', 'additive'],
    ['ALTER DOMAIN "d" VALIDATE CONSTRAINT "c"', 'validation'],
    ['ALTER DOMAIN "d" SET NOT NULL', 'tightening'],
    ['ALTER TYPE "mood" RENAME TO "_dbtide_mood"', 'destructive'],
    ['DROP TYPE "mood"', 'destructive'],
    ['DROP SEQUENCE IF EXISTS "s"', 'destructive'],
  ])('the phase policy reads %s as %s', (text, expected) => {
    expect(postgresStatements.classify(text)).toBe(expected);
  });
});

describe('named types', () => {
  it.each([
    ['mood', 'mood'],
    ['Mood', 'mood'],
    ['"Mood"', 'Mood'],
    ['public.mood', 'mood'],
    ['"bıgınt"', 'bıgınt'],
    ['mood[]', 'mood'],
    ['character varying(3)', null],
    ['numeric(3,1)', null],
  ])('%s names %s', (text, name) => {
    expect(namedType({ kind: 'native', sql: text })).toBe(name);
  });
});

describe('verify-chain comparing an upgraded database with a fresh one', () => {
  it('names each sequence, domain and enum type that differs or exists on one side only', () => {
    const upgraded: SchemaModel = { tables: {}, sequences: { s: sequence('s', { increment: '2' }) }, enums: { mood: { name: 'mood', values: ['a', 'b'] } } };
    const fresh: SchemaModel = { tables: {}, sequences: { s: sequence('s') }, domains: { d: { name: 'd', type: { kind: 'int' }, notNull: true, default: null, checks: [] } }, enums: { mood: { name: 'mood', values: ['a', 'b'] } } };
    expect(compareSchemas(upgraded, fresh)).toEqual([
      'domain d only in the fresh database (int NOT NULL)',
      'sequence s: upgraded bigint start 1 increment 2 min 1 max 9223372036854775807 cache 1, fresh bigint start 1 increment 1 min 1 max 9223372036854775807 cache 1',
    ]);
  });
});

describe('pulling them', () => {
  it('writes sequences with the options that differ from the defaults, enum values, and domains before the tables', () => {
    const model: SchemaModel = {
      tables: {},
      sequences: {
        plain: sequence('plain'),
        owned: sequence('owned', { type: 'int', max: '2147483647', ownedBy: { table: 't', column: 'id' } }),
        odd: sequence('odd', { start: '9007199254740993', max: '9007199254740999', cache: '20', increment: '3', cycle: true }),
      },
      enums: { mood: { name: 'mood', values: ['a', "it's"] } },
      domains: {
        'bıgınt': { name: 'bıgınt', type: { kind: 'bigint' }, notNull: false, default: null, checks: [] },
        year: { name: 'year', type: { kind: 'int' }, notNull: true, default: { kind: 'sql', expression: 'now()' }, checks: [{ name: 'year_check', expression: 'VALUE > 0' }, { name: 'other', expression: 'VALUE < 9' }] },
        inet: { name: 'inet', type: { kind: 'native', sql: 'inet' }, notNull: false, default: null, checks: [] },
      },
    };
    const source = renderDeclaration(model, { release: 'r' });
    expect(source).toContain(`import { defineSchema, native, sql } from 'dbtide';`);
    expect(source).toContain(`  sequences: {
    plain: {},
    owned: { type: 'int', ownedBy: { table: 't', column: 'id' } },
    odd: {
      start: '9007199254740993',
      increment: 3,
      max: '9007199254740999',
      cache: 20,
      cycle: true,
    },
  },
  enums: {
    mood: ['a', 'it\\'s'],
  },
  domains: {
    'bıgınt': { type: 'bigint' },
    year: {
      type: 'int',
      nullable: false,
      default: sql('now()'),
      checks: [{ expression: 'VALUE > 0' }, { name: 'other', expression: 'VALUE < 9' }],
    },
    inet: { type: native('inet') },
  },
  tables: {},`);
  });

  it('writes nothing of them when there are none', () => {
    expect(renderDeclaration({ tables: {} }, { release: 'r' })).not.toMatch(/sequences|enums|domains/);
  });
});
