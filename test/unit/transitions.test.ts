import { describe, expect, it } from 'vitest';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { statementText } from '../support/statement-text.js';
import { postgresScan } from '../../dialects/postgres/scan.js';
import { progressBar } from '../../src/cli/progress.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { SchemaInput, TransitionInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType, dataMove, derive, fillColumn, renameColumn, renameTable } from '../../src/declaration/transitions.js';
import { diff } from '../../src/diff/diff.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects, type OwnedObjects } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import type { Step } from '../../src/plan/step.js';
import { T, column as col, idColumn, index, table } from '../support/model-builders.js';
import { declarationIssues } from '../support/declaration-issues.js';

/** The PostgreSQL transitions' SQL text. */
const pgText = statementText(postgresTransitions);

const v1 = defineSchema({
  release: 'v1',
  tables: {
    people: { columns: { id: 'bigint', first: 'text', last: 'text', nick: 'text', score: 'int', city: 'text' }, primaryKey: ['id'] },
    hosts: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'], indexes: [{ columns: ['name'] }] },
  },
});

const release = (input: Omit<SchemaInput, 'release' | 'extends'>) => normalizeSchema(defineSchema({ release: 'v2', extends: v1, ...input }));

const issuesOf = (input: Omit<SchemaInput, 'release' | 'extends'>): string[] => declarationIssues(() => release(input));

/** The people table as release 1 left it live. */
const livePeople = (extra: Partial<TableModel> = {}): TableModel =>
  table('people', {
    columns: [idColumn(), col('first'), col('last'), col('nick'), col('score', T.int), col('city')],
    ...extra,
  });
const liveHosts = table('hosts', { columns: [idColumn(), col('name')], indexes: [index('hosts_name_idx', ['name'])] });
const live = (tables: TableModel[], owned: Partial<OwnedObjects> = {}): SchemaModel => ({
  tables: Object.fromEntries(tables.map((t) => [t.name, t])),
  owned: { ...noOwnedObjects(), ...owned },
});

const kinds = (changes: ReturnType<typeof diff>) => changes.map((c) => `${c.kind}:${c.kind === 'create-table' ? c.table.name : c.table}`);

const runPlan = (changes: ReturnType<typeof diff>) =>
  plan(changes, { caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements, tables: {} });
const brief = (steps: Step[]) => steps.map((s) => `${s.phase} ${s.id}`);

describe('transitions: declaration', () => {
  it('a rename drops the old column from the inherited table and tombstones it', () => {
    const d = release({ tables: { people: { columns: { nickname: 'text' } } }, transitions: [renameColumn('people', 'nick', 'nickname')] });
    expect(d.model.tables.people!.columns.map((c) => c.name)).toEqual(['id', 'first', 'last', 'score', 'city', 'nickname']);
    expect(d.removed.columns).toEqual([{ table: 'people', column: 'nick' }]);
    expect(d.transitions).toEqual([
      {
        kind: 'column-sync',
        id: 'v2:people:nickname',
        table: 'people',
        trigger: '_dbtide_sync_people_nickname',
        declaredAs: 'rename-column',
        forward: { nickname: 'nick' },
        backward: { nick: 'nickname' },
        retires: ['nick'],
        sources: ['nick'],
        fillOnly: false,
        swap: null,
      },
    ]);
  });

  it('a type change keeps the column and names its shadow', () => {
    const d = release({ tables: { people: { columns: { score: 'bigint' } } }, transitions: [changeType('people', 'score', { using: 'score * 10' })] });
    expect(d.transitions[0]).toMatchObject({
      forward: {},
      retires: [],
      swap: { column: 'score', shadow: '_dbtide_new_score', type: { kind: 'bigint' }, using: 'score * 10' },
    });
    expect(d.removed.columns).toEqual([]);
  });

  it('a renamed table carries its definition to the new name; transitions are not inherited', () => {
    const v2 = defineSchema({ release: 'v2', extends: v1, transitions: [renameTable('hosts', 'machines')] });
    expect(Object.keys(v2.tables).sort()).toEqual(['machines', 'people']);
    const d = normalizeSchema(v2);
    // Generated names follow the table; contract renames the live objects.
    expect(d.model.tables.machines!.indexes.map((i) => i.name)).toEqual(['machines_name_idx']);
    expect(d.model.tables.machines!.primaryKey!.name).toBe('machines_pkey');
    expect(d.transitions).toEqual([{ kind: 'rename-table', from: 'hosts', to: 'machines' }]);
    expect(defineSchema({ release: 'v3', extends: v2 }).transitions).toEqual([]);
  });

  it('reports every mistake with the transition it belongs to', () => {
    expect(
      issuesOf({
        tables: { people: { columns: { full: 'text', city_code: 'text', first: 'text' } }, plain: { columns: { a: 'int' } } },
        transitions: [
          renameColumn('people', 'nick', 'nickname'),
          renameColumn('nowhere', 'a', 'b'),
          derive('people', { forward: { full: "first || ' ' || last" }, backward: { middle: 'full' }, retires: ['first', 'last'] }),
          fillColumn('people', 'city_code', "upper(city)"),
          changeType('hosts', 'name'),
          derive('plain', { forward: { a: '1' } }),
          renameTable('hosts', 'people'),
          dataMove('copy', async () => ({ found: 0, done: true })),
          renameColumn('people', 'city', 'full'),
          renameColumn('people', 'score', 'full'),
        ],
      }),
    ).toEqual([
      'transitions[0] (rename-column): the new column "nickname" must be declared in tables.people.columns',
      'transitions[1] (rename-column): table "nowhere" is not declared',
      'transitions[2] (derive): "first" is retired but still declared',
      'transitions[2] (derive): backward writes "middle", which must be an old column listed in `retires`',
      'transitions[3] (fill): "city_code" must be declared nullable: false; a fill exists to make a new column NOT NULL',
      'transitions[5] (derive): plain has no primary key; a backfill walks the table in key order, so declare one first',
      'transitions[6] (rename-table): the old name "hosts" is still declared; declare the table under "people" only',
      'transitions[9] (rename-column): people.full is the target of an earlier transition too; declare one transition per column',
      // Against the release it extends (v1: hosts, people(id, name)):
      'transitions[0] (rename-column): the old column "nick" is not a column of people in the previous release v1 (its columns: id, name)',
      'transitions[2] (derive): the retired column "first" is not a column of people in the previous release v1 (its columns: id, name)',
      'transitions[2] (derive): the retired column "last" is not a column of people in the previous release v1 (its columns: id, name)',
      'transitions[4] (change-type): hosts.name is text in the previous release v1 too: changeType would change nothing; declare the new type in tables.hosts.columns.name, or remove the transition',
      "transitions[4] (change-type): hosts.name carries index hosts_name_idx in the previous release v1, which contract's swap would drop with the old column (moving it to the converted column is not supported yet): add a new column of the new type with derive() and retire this one; or remove it in one release and change the type in the next (a unique or index new in the release that changes the type is built after the swap)",
      'transitions[5] (derive): table "plain" does not exist in the previous release v1, so it has no old columns to move data from',
      'transitions[6] (rename-table): table "people" already exists in the previous release v1; a rename needs a new name',
      'transitions[8] (rename-column): the old column "city" is not a column of people in the previous release v1 (its columns: id, name)',
      'transitions[9] (rename-column): the old column "score" is not a column of people in the previous release v1 (its columns: id, name)',
    ]);
  });

  it('refuses a transition of the wrong shape before anything is merged', () => {
    expect(
      issuesOf({
        tables: { people: { columns: { full: 'text' } } },
        transitions: [
          dataMove('', async () => ({ found: 0, done: true })),
          { ...derive('people', { forward: { full: 'a' } }), retire: ['a'] } as unknown as TransitionInput,
          { kind: 'rename', table: 'people' } as unknown as TransitionInput,
        ],
      }),
    ).toEqual([
      'transitions[0].name: must not be empty',
      'transitions[1].retire: unknown key "retire"; did you mean "retires"? (known: kind, table, forward, backward, retires, reads)',
      expect.stringMatching(/^transitions\[2\]: must be a transition made by renameColumn, changeType, derive, fillColumn, renameTable, renameConstraint, renameIndex or dataMove/),
    ]);
  });
});

describe('transitions: diff and plan through the phases', () => {
  const declared = release({
    tables: { people: { columns: { nickname: 'text', score: { type: 'bigint', nullable: false }, code: { type: 'text', nullable: false } } } },
    transitions: [renameColumn('people', 'nick', 'nickname'), changeType('people', 'score'), fillColumn('people', 'code', 'upper(city)')],
  });
  const triggers = ['_dbtide_sync_people_nickname', '_dbtide_sync_people_score', '_dbtide_sync_people_code'].map((name) => ({ table: 'people', name }));
  const jobs = ['v2:people:nickname', 'v2:people:score', 'v2:people:code'];
  const expanded = livePeople({
    columns: [...livePeople().columns, col('nickname'), col('_dbtide_new_score', T.bigint), col('code')],
  });

  it('before expand: new columns and triggers in expand, backfills in migrate, verification and removal in contract', () => {
    const p = runPlan(diff(declared, live([livePeople(), liveHosts])));
    expect(brief(p.steps)).toEqual([
      'expand add-column:people.nickname',
      'expand add-column:people.code',
      'expand add-column:people._dbtide_new_score',
      'expand install-sync:people._dbtide_sync_people_nickname',
      'expand install-sync:people._dbtide_sync_people_score',
      'expand install-sync:people._dbtide_sync_people_code',
      'migrate backfill:people.nickname',
      'migrate backfill:people._dbtide_new_score',
      'migrate backfill:people.code',
      'contract swap-column:people.score',
      'contract set-not-null:people.code',
      'contract set-not-null:people.score',
      'contract remove-sync:people._dbtide_sync_people_nickname',
      'contract remove-sync:people._dbtide_sync_people_code',
      'contract drop-column:people.nick',
    ]);
    expect(p.warnings).toEqual([]);
    for (const s of p.steps) guardStep(s.phase, s.sql, postgresStatements);
    const backfill = p.steps.find((s) => s.id === 'backfill:people._dbtide_new_score')!;
    expect(backfill.work).toEqual({
      kind: 'backfill',
      job: { id: 'v2:people:score', table: 'people', key: ['id'], set: { _dbtide_new_score: 'CAST("score" AS bigint)' }, where: '"_dbtide_new_score" IS NULL' },
    });
    expect(p.steps.find((s) => s.id === 'backfill:people.code')!.work).toMatchObject({ job: { set: { code: 'upper(city)' }, where: '"code" IS NULL' } });
    expect(p.steps.find((s) => s.id === 'swap-column:people.score')!.sql).toEqual([
      'DROP TRIGGER IF EXISTS "_dbtide_sync_people_score" ON "people"',
      'DROP TRIGGER IF EXISTS "_dbtide_sync_people_score_update" ON "people"',
      'DROP FUNCTION IF EXISTS "_dbtide_sync_people_score"()',
      'DROP FUNCTION IF EXISTS "_dbtide_sync_people_score_update"()',
      'ALTER TABLE "people" DROP COLUMN IF EXISTS "score"',
      'ALTER TABLE "people" RENAME COLUMN "_dbtide_new_score" TO "score"',
    ]);
    expect(p.steps.find((s) => s.id === 'remove-sync:people._dbtide_sync_people_nickname')!.prechecks).toEqual([
      {
        kind: 'verification',
        table: 'people',
        columns: ['nickname'],
        description: 'every row has people.nickname = "nick"',
        rule: { kind: 'verification', exact: true, sync: expect.objectContaining({ table: 'people', forward: { nickname: '"nick"' }, backward: { nick: '"nickname"' } }) },
      },
    ]);
  });

  it('after expand only the backfills and the contract are left; after migrate only the contract', () => {
    const afterExpand = live([expanded, liveHosts], { triggers });
    expect(kinds(diff(declared, afterExpand))).toEqual([
      'set-not-null:people',
      'drop-column:people',
      'backfill:people',
      'remove-sync:people',
      'backfill:people',
      'swap-column:people',
      'set-not-null:people',
      'backfill:people',
      'remove-sync:people',
    ]);
    const afterMigrate = live([expanded, liveHosts], { triggers, finishedJobs: jobs });
    expect(runPlan(diff(declared, afterMigrate)).steps.every((s) => s.phase === 'contract')).toBe(true);
  });

  it('after contract nothing is left, and no helper column shows as drift', () => {
    const done = livePeople({
      columns: [idColumn(), col('first'), col('last'), col('city'), col('nickname'), col('score', T.bigint, { nullable: false }), col('code', T.text, { nullable: false })],
    });
    expect(diff(declared, live([done, liveHosts], { finishedJobs: jobs }))).toEqual([]);
    expect(diff(declared, live([expanded, liveHosts], { triggers })).filter((c) => c.kind === 'drift')).toEqual([]);
  });

  it('a table this release creates needs no sync; a trigger no transition explains is drift', () => {
    expect(kinds(diff(declared, live([liveHosts])))).toEqual(['create-table:people']);
    const stray = diff(declared, live([livePeople(), liveHosts], { triggers: [{ table: 'hosts', name: '_dbtide_sync_hosts_x' }] }));
    expect(stray.at(-1)).toMatchObject({ kind: 'drift', table: 'hosts', object: 'trigger _dbtide_sync_hosts_x' });
  });

  it('a renamed table: rename with an alias in expand, alias dropped and names adopted in contract', () => {
    const d = release({ transitions: [renameTable('hosts', 'machines')] });
    expect(d.model.tables.machines!.indexes.map((i) => i.name)).toEqual(['machines_name_idx']);
    const pending = runPlan(diff(d, live([livePeople(), liveHosts])));
    expect(brief(pending.steps)).toEqual(['expand rename-table:machines', 'contract drop-alias:machines.hosts']);
    expect(pending.steps[0]!.sql).toEqual([
      'ALTER TABLE "hosts" RENAME TO "machines"',
      'CREATE VIEW "hosts" AS SELECT * FROM "machines"',
      `COMMENT ON VIEW "hosts" IS 'dbtide:alias-of:machines'`,
    ]);
    expect(pending.steps[1]!.sql).toEqual([
      'DROP VIEW IF EXISTS "hosts"',
      'ALTER TABLE "machines" RENAME CONSTRAINT "hosts_pkey" TO "machines_pkey"',
      'ALTER INDEX "hosts_name_idx" RENAME TO "machines_name_idx"',
    ]);
    for (const s of pending.steps) guardStep(s.phase, s.sql, postgresStatements);

    const renamed = { ...liveHosts, name: 'machines' };
    const aliased = live([livePeople(), renamed], { aliases: [{ name: 'hosts', table: 'machines' }] });
    expect(kinds(diff(d, aliased))).toEqual(['drop-alias:machines']);
    const final = { ...renamed, primaryKey: { name: 'machines_pkey', columns: ['id'] }, indexes: [index('machines_name_idx', ['name'])] };
    expect(diff(d, live([livePeople(), final]))).toEqual([]);
  });
});

describe('transitions: PostgreSQL SQL', () => {
  const spec = {
    table: 'p',
    trigger: '_dbtide_sync_p_full',
    forward: { full: "a || ' ' || b" },
    backward: { a: "split_part(full, ' ', 1)" },
    fillOnly: false,
    sources: ['a', 'b'],
    key: ['id'],
  };

  it('an INSERT is synced before it is written, by assigning to NEW; the trigger skips the backfill session (WHEN)', () => {
    const [, fn, , trigger] = pgText.createSyncTrigger(spec);
    const forward = `SELECT (a || ' ' || b) INTO NEW."full" FROM (SELECT NEW.*) AS _dbtide_row;`;
    const backward = `SELECT (split_part(full, ' ', 1)) INTO NEW."a" FROM (SELECT NEW.*) AS _dbtide_row;`;
    expect(fn).toBe(`CREATE OR REPLACE FUNCTION "_dbtide_sync_p_full"() RETURNS trigger LANGUAGE plpgsql AS $dbtide$
BEGIN
  IF NEW."full" IS NULL THEN ${forward} ELSE ${backward} END IF;
  RETURN NEW;
END
$dbtide$`);
    expect(trigger).toBe(
      `CREATE TRIGGER "_dbtide_sync_p_full" BEFORE INSERT ON "p" FOR EACH ROW WHEN (current_setting('dbtide.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION "_dbtide_sync_p_full"()`,
    );
  });

  it('an UPDATE is synced after it is written, by a second write of the row by its key that its own trigger leaves alone, and tells old writes from new', () => {
    const [fn, , trigger] = pgText.createSyncTrigger(spec);
    const rewrite = (column: string, expression: string) => [
      "    PERFORM set_config('dbtide.writing', '_dbtide_sync_p_full', true);",
      `    UPDATE "p" SET "${column}" = (${expression}) WHERE "id" = NEW."id" AND ROW("${column}") IS DISTINCT FROM ROW((${expression}));`,
      "    PERFORM set_config('dbtide.writing', _dbtide_writing, true);",
    ].join('\n');
    expect(fn).toBe(`CREATE OR REPLACE FUNCTION "_dbtide_sync_p_full_update"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $dbtide$
#variable_conflict use_column
DECLARE
  _dbtide_writing text := coalesce(current_setting('dbtide.writing', true), '');
BEGIN
  IF ROW(NEW."full") IS DISTINCT FROM ROW(OLD."full") THEN
${rewrite('a', "split_part(full, ' ', 1)")}
  ELSIF ROW(NEW."a", NEW."b") IS DISTINCT FROM ROW(OLD."a", OLD."b") THEN
${rewrite('full', "a || ' ' || b")}
  END IF;
  RETURN NULL;
END
$dbtide$`);
    // Queued only for an update the rules act on, and not for the sync's own second write.
    expect(trigger).toBe(
      `CREATE TRIGGER "_dbtide_sync_p_full_update" AFTER UPDATE ON "p" FOR EACH ROW WHEN (current_setting('dbtide.backfill', true) IS DISTINCT FROM 'on' AND ` +
        `current_setting('dbtide.writing', true) IS DISTINCT FROM '_dbtide_sync_p_full' AND ` +
        `((ROW(NEW."full") IS DISTINCT FROM ROW(OLD."full")) OR (ROW(NEW."a", NEW."b") IS DISTINCT FROM ROW(OLD."a", OLD."b")))) EXECUTE FUNCTION "_dbtide_sync_p_full_update"()`,
    );
  });

  it('creates the UPDATE trigger before the INSERT one, which names the sync, and drops them in the reverse order', () => {
    expect(pgText.createSyncTrigger(spec).filter((s) => s.startsWith('CREATE TRIGGER')).map((s) => s.split(' ')[2])).toEqual(['"_dbtide_sync_p_full_update"', '"_dbtide_sync_p_full"']);
    expect(pgText.dropSyncTrigger('p', spec.trigger)).toEqual([
      'DROP TRIGGER IF EXISTS "_dbtide_sync_p_full" ON "p"',
      'DROP TRIGGER IF EXISTS "_dbtide_sync_p_full_update" ON "p"',
      'DROP FUNCTION IF EXISTS "_dbtide_sync_p_full"()',
      'DROP FUNCTION IF EXISTS "_dbtide_sync_p_full_update"()',
    ]);
  });

  it('copies and casts are assigned directly on INSERT; without sources any update leaving the new columns alone recomputes them', () => {
    const copy = { ...spec, forward: { label: 'name', v2: 'CAST("v" AS numeric(12,2))' }, backward: {}, sources: [] };
    const [update, insert] = pgText.createSyncTrigger(copy);
    expect(insert).toContain('NEW."label" := NEW."name"; NEW."v2" := CAST(NEW."v" AS numeric(12,2));');
    expect(insert).not.toContain('SELECT (');
    expect(update).toContain('IF NOT (ROW(NEW."label", NEW."v2") IS DISTINCT FROM ROW(OLD."label", OLD."v2")) THEN');
    expect(update).toContain('UPDATE "p" SET "label" = (name), "v2" = (CAST("v" AS numeric(12,2))) WHERE "id" = NEW."id"');
  });

  it('without a backward direction the UPDATE trigger fires only on updates of the old columns', () => {
    const [, , trigger] = pgText.createSyncTrigger({ ...spec, backward: {}, sources: ['v'] });
    expect(trigger).toContain('AFTER UPDATE OF "v" ON "p" FOR EACH ROW WHEN (');
  });

  it('refuses to write the UPDATE trigger without the primary key it finds the row by', () => {
    expect(() => pgText.createSyncTrigger({ ...spec, key: undefined })).toThrow(/needs the table's primary key/);
  });

  it('a fill only fills NULLs, and its verification counts the NULLs its expression would fill', () => {
    const fill = { ...spec, forward: { code: 'upper(city)' }, backward: {}, fillOnly: true, sources: [] };
    expect(pgText.createSyncTrigger(fill)[1]).toContain(`IF NEW."code" IS NULL THEN SELECT (upper(city)) INTO NEW."code"`);
    expect(postgresScan.offenders('p', { kind: 'verification', sync: fill, exact: false }, ['id'])).toBe(
      'SELECT t."id" FROM "p" t WHERE (t."code" IS NULL) AND ((upper(city)) IS NOT NULL)',
    );
  });

  it('the expand guard lets a rename pass only with the alias view over it', () => {
    expect(() => guardStep('expand', postgresTransitions.renameTableWithAlias('a', 'b').map((s) => s.sql), postgresStatements)).not.toThrow();
    expect(() => guardStep('expand', ['ALTER TABLE "a" RENAME TO "b"'], postgresStatements)).toThrow(/destructive statement may not run in expand/);
    expect(() => guardStep('expand', ['ALTER TABLE "a" RENAME TO "b"', 'CREATE VIEW "c" AS SELECT * FROM "b"'], postgresStatements)).toThrow(/destructive/);
  });
});

describe('progress bar', () => {
  const event = (rowsDone: number, totalRows: number | null) =>
    ({ type: 'work-progress', step: {} as Step, rowsDone, batchRows: 10, batchMs: 1, nextBatch: null, rowsPerSecond: 250_000, totalRows }) as const;

  it('shows share, rows, rate and ETA; without an estimate only rows and rate', () => {
    expect(progressBar(event(500_000, 1_000_000), 10)).toBe('      [#####-----] 50% 500,000/~1,000,000 rows  250,000 rows/s  ETA 2s');
    expect(progressBar(event(1_200, null))).toBe('      1,200 rows  250,000 rows/s');
  });
});
