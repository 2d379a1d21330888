import type { Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import type { OwnedObjects, TableRename } from '../model/transition.js';
import { fact } from '../plan/operation.js';
import type { RunKind, Step } from '../plan/step.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';
import type { MissingPrivilege, PrivilegeAction, PrivilegeNeed, PrivilegeReport } from '../model/privileges.js';

type Needed = [PrivilegeAction, string | null];

/** What a phase's steps find, besides the steps: the live side of table renames. */
export interface NeedsContext {
  /** Declared renames: a rename step carries the new name, the privileges are on the old one. */
  renames: TableRename[];
  /** Live alias views: a drop-alias step drops one. */
  aliases: OwnedObjects['aliases'];
}

export const needsContext = (declared: DeclaredSchema, live: SchemaModel): NeedsContext => ({
  renames: declared.transitions.filter((t): t is TableRename => t.kind === 'rename-table'),
  aliases: live.owned?.aliases ?? [],
});

const TABLE_FACT = fact.table('');

/**
 * The tables a foreign-key step references. Its needs name the child and the referenced table
 * (`table:` facts) and a unique key of the referenced one, which tells the two apart even when
 * the key references its own table.
 */
export function referencedTables(step: Step): string[] {
  const tables = step.needs.filter((n) => n.startsWith(TABLE_FACT)).map((n) => n.slice(TABLE_FACT.length));
  // `unique:<table>(<columns>)`: the prefix up to the parenthesis names the table.
  const keyOn = (table: string) => fact.uniqueKey(table, []).slice(0, -1);
  return [...new Set(tables.filter((t) => step.needs.some((n) => n.startsWith(keyOn(t)))))];
}

const alter = (step: Step): Needed[] => [['alter', step.table]];

/** Per operation, from the step's structure (never its SQL). A new operation must say what it needs. */
const NEEDS: Record<Step['operation'], (step: Step, ctx: NeedsContext) => Needed[]> = {
  'create-table': () => [['create-table', null]],
  'drop-table': (step) => [['drop', step.table]],
  'add-column': alter,
  'drop-column': alter,
  'alter-column-type': alter,
  'set-not-null': alter,
  'drop-not-null': alter,
  'set-default': alter,
  'drop-default': alter,
  'add-primary-key': alter,
  'add-unique': alter,
  'add-index': alter,
  'rebuild-index': alter,
  'drop-index': alter,
  'add-check': alter,
  'add-exclusion': alter,
  'set-deferrable': alter,
  'drop-constraint': alter,
  'validate-constraint': alter,
  'reorg-table': (step) => [['reorganize', step.table]],
  // COMMENT ON needs the table's owner, as ALTER TABLE does.
  'set-comment': alter,
  'set-replica-identity': alter,
  'add-foreign-key': (step) => [['alter', step.table], ...referencedTables(step).map((t): Needed => ['reference', t])],
  'rename-table': (step, ctx) => {
    const rename = ctx.renames.find((r) => r.to === step.table);
    if (!rename) throw new Error(`internal: step ${step.id} renames a table no declared rename names`);
    return [['rename', rename.from], ['create-view', null]];
  },
  // Renames of kept constraint and index names (the facts it provides) alter the table too.
  'drop-alias': (step, ctx) => [
    ...ctx.aliases.filter((a) => a.table === step.table && a.name === step.subject).map((a): Needed => ['drop', a.name]),
    ...(step.provides.length > 0 ? alter(step) : []),
  ],
  'rename-object': alter,
  // The view that kept the old name goes, and the table takes that name.
  'restore-table-name': (step) => [['drop', step.subject!], ['rename', step.table]],
  'install-sync': (step) => [['create-trigger', step.table]],
  'remove-sync': (step) => [['drop-trigger', step.table]],
  'swap-column': (step) => [['drop-trigger', step.table], ['alter', step.table]],
  // The copy is a new table of the schema; the swap renames the table and drops it under its old name.
  'create-table-copy': (step) => [['create-table', null], ['create-trigger', step.table]],
  'copy-table': (step) => [['update-rows', step.table]],
  // A backfill's copy takes the syncs' triggers along: created on it before the rename.
  'swap-table-copy': (step) => [['rename', step.table], ['create-trigger', step.table], ['drop-trigger', step.table]],
  'drop-replaced-table': (step) => [['drop', step.table]],
  'drop-table-copy': (step) => [['drop-trigger', step.table], ['drop', step.table]],
  backfill: (step) => [['update-rows', step.table]],
  // A data move or raw SQL step runs the release author's own statements: dbtide cannot know what they touch.
  'data-move': () => [],
  sql: () => [],
  'create-version-schema': (step) => [['version-schema', step.subject!]],
  'drop-version-schema': (step) => [['version-schema', step.subject!]],
  // Sequences, domains and types are made with the schema's CREATE privilege; changing or dropping
  // one needs its ownership, which the server checks as the statement runs.
  'create-sequence': createInSchema,
  'create-domain': createInSchema,
  'create-enum': createInSchema,
  'alter-sequence': () => [],
  'sequence-owner': (step) => usedTables(step).map((t): Needed => ['alter', t]),
  'drop-sequence': () => [],
  'domain-default': () => [],
  'domain-not-null': () => [],
  'add-domain-check': () => [],
  'drop-domain-check': () => [],
  'drop-domain': () => [],
  'add-enum-value': () => [],
  'rebuild-enum': (step) => usedTables(step).map((t): Needed => ['alter', t]),
  'drop-enum': () => [],
};

function createInSchema(): Needed[] {
  return [['create-table', null]];
}

/** The tables a schema object's step changes, named by its `table:` needs. */
const usedTables = (step: Step): string[] => step.needs.filter((n) => n.startsWith(TABLE_FACT)).map((n) => n.slice(TABLE_FACT.length));

/** Every privilege the steps need, once per action and object, each naming the steps that need it. */
export function phaseNeeds(steps: Step[], ctx: NeedsContext): PrivilegeNeed[] {
  const needs = new Map<string, PrivilegeNeed>();
  for (const step of steps) {
    for (const [action, object] of NEEDS[step.operation](step, ctx)) {
      const key = `${action}\u0000${object ?? ''}`;
      const need = needs.get(key) ?? { action, object, steps: [] };
      if (!need.steps.includes(step.description)) need.steps.push(step.description);
      needs.set(key, need);
    }
  }
  return [...needs.values()];
}

const LEDGER_TABLES = ['runs', 'journal', 'backfills', 'sql_steps'].map((t) => `${OWN_TABLE_PREFIX}${t}`);

/**
 * The ledger's needs: `ensure` runs CREATE TABLE IF NOT EXISTS, which both servers check against
 * the schema's CREATE privilege even when the tables exist, and every run writes its rows.
 */
export function ledgerNeeds(missing: string[]): PrivilegeNeed[] {
  const steps = [`the ledger (${LEDGER_TABLES.join(', ')})`];
  return [
    ...(missing.length > 0 ? [{ action: 'create-table' as const, object: null, steps }] : []),
    ...LEDGER_TABLES.map((table): PrivilegeNeed => ({ action: 'write-rows', object: table, steps })),
  ];
}

const MAX_STEPS_SHOWN = 3;

/** Per object (the schema first): each missing privilege with the steps that need it. */
function describeMissing(missing: MissingPrivilege[], schemaLabel: string): string {
  const objects = [...new Set(missing.map((m) => m.need.object))].sort((a, b) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)));
  return objects
    .map((object) => {
      const lines = missing
        .filter((m) => m.need.object === object)
        .map((m) => {
          const { steps } = m.need;
          const more = steps.length > MAX_STEPS_SHOWN ? `; and ${steps.length - MAX_STEPS_SHOWN} more` : '';
          return `    ${m.lacks}, for: ${steps.slice(0, MAX_STEPS_SHOWN).join('; ')}${more}`;
        });
      return [`  ${object ?? schemaLabel}:`, ...lines].join('\n');
    })
    .join('\n');
}

/** The refusal when privileges are missing: every one of them, and the statements that grant them. */
export function privilegeRefusal(report: PrivilegeReport, phase: string): DbtideError {
  return new DbtideError(
    `${report.role} lacks privileges ${phase} needs; nothing was changed:\n${describeMissing(report.missing, report.schema)}`,
    1,
    `as the tables' owner or an administrator, run:\n  ${report.fixes.join(';\n  ')};\nthen run \`dbtide ${phase}\` again (or run dbtide as a role that has them)`,
  );
}

/**
 * Refuses, before anything changes, when the session lacks a privilege the needs name: otherwise
 * the first step that needs it would stop the phase with the server's bare error, half applied.
 */
export async function refuseWithoutPrivileges(db: Database, needs: PrivilegeNeed[], phase: RunKind): Promise<void> {
  if (needs.length === 0) return;
  const report = await db.dialect.privileges(db.conn, needs, db.schema ? { schema: db.schema } : {});
  if (report.missing.length > 0) throw privilegeRefusal(report, phase);
}
