import type { Capabilities, ReorgState, SqlCompiler, TransitionSql } from '../dialect.js';
import { withReorganizations } from './reorg.js';
import type { Change } from '../diff/changes.js';
import { readIndexKeys } from '../model/index-entry.js';
import type { TableModel } from '../model/schema-model.js';
import type { PlanContext, StepDraft } from './operation.js';
import { addCheck, addForeignKey } from './operations/add-constraint.js';
import { addColumn } from './operations/add-column.js';
import { addExclusion } from './operations/add-exclusion.js';
import { addIndex, rebuildIndex } from './operations/add-index.js';
import { addPrimaryKey, addUnique } from './operations/add-unique.js';
import { alterColumnType, dropDefault, dropNotNull, setDefault } from './operations/column-changes.js';
import { backfill, installSync, removeSync, swapColumn } from './operations/column-sync.js';
import { createTable } from './operations/create-table.js';
import { dataMove } from './operations/data-move.js';
import { sqlStep } from './operations/sql-step.js';
import { dropColumn, dropConstraint, dropIndex, dropTable } from './operations/removals.js';
import { dropAlias, renameObject, renameTable } from './operations/rename-table.js';
import { setNotNull } from './operations/set-not-null.js';
import { backfillThroughCopy, indexThroughCopy, dropTableCopy, setNotNullThroughCopy } from './operations/table-copy.js';
import { setComment } from './operations/set-comment.js';
import { setReplicaIdentity } from './operations/set-replica-identity.js';
import { setDeferrable } from './operations/set-deferrable.js';
import { createVersionSchema, dropVersionSchema } from './operations/version-schema.js';
import { addDomainCheck, createDomain, domainDefault, domainNotNull, dropDomain, dropDomainCheck } from './operations/domain.js';
import { addEnumValue, createEnum, dropEnum, rebuildEnum } from './operations/enum-type.js';
import { alterSequence, createSequence, dropSequence, sequenceOwner } from './operations/sequence.js';
import { laterPhase, phaseIndex, PHASES, type Phase, type Plan, type Step, type StepOperation } from './step.js';
import { NEW_TABLE_LOCK, strongest, type LockInfo, type Statement } from '../model/locks.js';
import type { StatementClassifier } from '../model/statement-class.js';

export interface PlanInput {
  caps: Capabilities;
  sql: SqlCompiler;
  transitions: TransitionSql;
  /** The declared tables: an index entry naming one of a table's columns is that column. */
  tables: Record<string, TableModel>;
  /** What a backfill batch holds (the dialect's BackfillSql). */
  batchLock: LockInfo;
  /** The dialect's reading of SQL for the phase policy (`Dialect.statements`): raw SQL steps are checked against it while planning. */
  statements: StatementClassifier;
  /** Estimated rows per table, for the cost shown with each step. */
  rows?: Record<string, number>;
  /** Where the capabilities count REORG-recommended ALTERs: what live tables already count. */
  reorg?: Record<string, ReorgState>;
}

/** Within a phase: build before use, tighten before relying on it, remove last. */
const RANK: Record<StepOperation, number> = {
  // Types and sequences exist before the tables and columns that use them; a domain may be over an enum.
  'create-enum': -3,
  'create-sequence': -2,
  'alter-sequence': -2,
  'create-domain': -2,
  'add-enum-value': -2,
  'domain-default': -2,
  'domain-not-null': 3,
  'drop-domain-check': 1,
  'add-domain-check': 6,
  'rename-table': 0,
  'rename-object': 0,
  'create-table': 0,
  // Before what restates a column (MySQL's MODIFY): it restates the live column itself.
  'set-comment': 0,
  'add-column': 1,
  'drop-not-null': 1,
  'set-default': 1,
  'install-sync': 2,
  'swap-column': 2,
  'alter-column-type': 2,
  'set-not-null': 3,
  // One after the other, before any key or index of the column is built on it.
  'create-table-copy': 3,
  'copy-table': 3,
  'swap-table-copy': 3,
  'drop-replaced-table': 3,
  'drop-table-copy': 3,
  'add-primary-key': 4,
  'add-unique': 4,
  'rebuild-index': 5,
  'add-index': 5,
  'add-check': 6,
  'add-exclusion': 6,
  'add-foreign-key': 7,
  'set-replica-identity': 7,
  'set-deferrable': 7,
  'validate-constraint': 8,
  backfill: 8,
  'data-move': 9,
  // After what its phase builds (a view over a new column finds it, a migrate step reads
  // backfilled values) and before what it drops (a view goes before the table or column it
  // reads, which PostgreSQL refuses to drop under it). Ties keep the declared order.
  sql: 9,
  'remove-sync': 9,
  'drop-default': 9,
  'drop-constraint': 10,
  'drop-index': 11,
  'drop-column': 12,
  // Placed by src/plan/reorg.ts after the steps whose ALTERs need it, not by rank.
  'reorg-table': 12,
  'sequence-owner': 1,
  // Converts the columns still declared, once the dropped ones (which may hold removed values) are gone.
  'rebuild-enum': 12.5,
  'drop-table': 13,
  // After the last table or column using them; a domain before the enum it is built over.
  'drop-sequence': 13.5,
  'drop-domain': 13.6,
  'drop-enum': 13.7,
  'drop-alias': 14,
  // Only a rollback plans it, in an order of its own (src/rollback/rollback-plan.ts).
  'restore-table-name': 14,
  'create-version-schema': 15,
  'drop-version-schema': 15,
};

function draftsFor(change: Exclude<Change, { kind: 'drift' }>, ctx: PlanContext): StepDraft[] {
  switch (change.kind) {
    case 'create-table': return createTable(change, ctx);
    case 'drop-table': return dropTable(change, ctx);
    case 'add-column': return addColumn(change, ctx);
    case 'drop-column': return dropColumn(change, ctx);
    case 'alter-column-type': return alterColumnType(change, ctx);
    case 'set-not-null': return setNotNull(change, ctx);
    case 'set-not-null-through-copy': return setNotNullThroughCopy(change, ctx);
    case 'backfill-through-copy': return backfillThroughCopy(change, ctx);
    case 'index-through-copy': return indexThroughCopy(change, ctx);
    case 'drop-table-copy': return dropTableCopy(change, ctx);
    case 'drop-not-null': return dropNotNull(change, ctx);
    case 'set-default': return setDefault(change, ctx);
    case 'drop-default': return dropDefault(change, ctx);
    case 'add-primary-key': return addPrimaryKey(change, ctx);
    case 'add-unique': return addUnique(change, ctx);
    case 'add-index': return addIndex(change, ctx);
    case 'rebuild-index': return rebuildIndex(change, ctx);
    case 'drop-index': return dropIndex(change, ctx);
    case 'add-foreign-key': return addForeignKey(change, ctx);
    case 'add-check': return addCheck(change, ctx);
    case 'set-deferrable': return setDeferrable(change, ctx);
    case 'add-exclusion': return addExclusion(change, ctx);
    case 'drop-constraint': return dropConstraint(change, ctx);
    case 'set-comment': return setComment(change, ctx);
    case 'set-replica-identity': return setReplicaIdentity(change, ctx);
    case 'rename-table': return renameTable(change, ctx);
    case 'drop-alias': return dropAlias(change, ctx);
    case 'rename-object': return renameObject(change, ctx);
    case 'install-sync': return installSync(change, ctx);
    case 'backfill': return backfill(change, ctx);
    case 'remove-sync': return removeSync(change, ctx);
    case 'swap-column': return swapColumn(change, ctx);
    case 'data-move': return dataMove(change, ctx);
    case 'sql': return sqlStep(change, ctx);
    case 'create-version-schema': return createVersionSchema(change, ctx);
    case 'create-sequence': return createSequence(change, ctx);
    case 'alter-sequence': return alterSequence(change, ctx);
    case 'sequence-owner': return sequenceOwner(change, ctx);
    case 'drop-sequence': return dropSequence(change, ctx);
    case 'create-domain': return createDomain(change, ctx);
    case 'domain-default': return domainDefault(change, ctx);
    case 'domain-not-null': return domainNotNull(change, ctx);
    case 'add-domain-check': return addDomainCheck(change, ctx);
    case 'drop-domain-check': return dropDomainCheck(change, ctx);
    case 'drop-domain': return dropDomain(change, ctx);
    case 'create-enum': return createEnum(change, ctx);
    case 'add-enum-value': return addEnumValue(change, ctx);
    case 'rebuild-enum': return rebuildEnum(change, ctx);
    case 'drop-enum': return dropEnum(change, ctx);
    case 'drop-version-schema': return dropVersionSchema(change, ctx);
  }
}

/**
 * Turns changes into a phased plan: each step starts in the earliest phase that is safe for it,
 * then moves to a later phase when something it needs is only provided there.
 */
export function plan(changes: Change[], input: PlanInput): Plan {
  const warnings: string[] = [];
  const drift = changes.flatMap((c) => (c.kind === 'drift' ? [{ table: c.table, object: c.object, detail: c.detail }] : []));
  const actionable = changes.filter((c): c is Exclude<Change, { kind: 'drift' }> => c.kind !== 'drift');
  const ctx = planContext(actionable, input, (message) => warnings.push(message));
  const drafts = actionable.flatMap((c) => draftsFor(c, ctx)).map((d) => keptForReorganization(d, ctx));
  const phases = assignPhases(drafts);
  const steps = order(drafts, phases).map((d) => stepOf(d, phases.get(d)!, input, ctx));
  const contract = withReorganizations(steps.filter((s) => s.phase === 'contract'), { caps: input.caps, sql: input.sql, rows: input.rows, live: input.reorg ?? {} });
  return { steps: [...steps.filter((s) => s.phase !== 'contract'), ...contract], drift, warnings };
}

/** What the operations read while they draft the steps of `changes`. */
export function planContext(changes: Exclude<Change, { kind: 'drift' }>[], input: PlanInput, warn: (message: string) => void): PlanContext {
  const swaps = changes.flatMap((c) => (c.kind === 'swap-column' ? [c.sync] : c.kind === 'set-not-null-through-copy' ? c.copy.swaps : []));
  const shadows = new Map(swaps.map((s) => [`${s.table}.${s.swap!.column}`, s.swap!.shadow] as const));
  return {
    caps: input.caps,
    sql: input.sql,
    transitions: input.transitions,
    newTables: new Set(changes.flatMap((c) => (c.kind === 'create-table' ? [c.table.name] : []))),
    newColumns: new Set(changes.flatMap((c) => (c.kind === 'add-column' ? [`${c.table}.${c.column.name}`] : []))),
    converted: (table, column) => shadows.get(`${table}.${column}`) ?? column,
    batchLock: input.batchLock,
    statements: input.statements,
    indexKeys: (table, entries) => readIndexKeys(entries, input.tables[table]?.columns.map((c) => c.name) ?? []),
    warn,
  };
}

/** A draft rendered for the phase it runs in. */
export function stepOf(d: StepDraft, phase: Phase, input: PlanInput, ctx: PlanContext): Step {
  const statements = d.render(phase);
  const reorgAlters = input.caps.reorgBudget === null ? 0 : reorgUnits(statements, d.transactional);
  return {
    id: `${d.operation}:${d.name}`,
    phase,
    operation: d.operation,
    destructive: d.destructive === true,
    relaxing: d.relaxing === true,
    ...(d.subject === undefined ? {} : { subject: d.subject }),
    table: d.table,
    description: d.description,
    sql: statements.map((s) => s.sql),
    transactional: d.transactional,
    ...(d.together ? { together: d.together } : {}),
    // A table this expand creates is empty until expand is done; demoted later, it holds rows.
    lock: d.lock ?? (ctx.newTables.has(d.table) && phase === 'expand' ? NEW_TABLE_LOCK : strongest(statements.map((s) => s.lock))),
    estimatedRows: input.rows?.[d.table] ?? null,
    prechecks: d.prechecks(phase),
    provides: d.provides,
    needs: d.needs,
    ...(d.work ? { work: d.work } : {}),
    ...(d.raw ? { raw: d.raw } : {}),
    ...(d.restartsJob ? { restartsJob: d.restartsJob } : {}),
    ...(d.finishesJobs ? { finishesJobs: d.finishesJobs } : {}),
    ...(reorgAlters > 0 ? { reorgAlters } : {}),
  };
}

/** A transactional step is one unit of work; otherwise each statement commits as its own. */
const reorgUnits = (statements: Statement[], transactional: boolean) => {
  const marked = statements.filter((s) => s.reorg).length;
  return transactional ? Math.min(marked, 1) : marked;
};

/**
 * A step with a REORG-recommended ALTER waits for contract, which reorganizes the table after it:
 * in expand or migrate it would leave the table on its way to reorg-pending, where the old
 * version's writes fail. A relaxation kept back so says what the new version must do meanwhile.
 */
function keptForReorganization(draft: StepDraft, ctx: PlanContext): StepDraft {
  if (ctx.caps.reorgBudget === null || draft.earliest === 'contract' || !draft.render(draft.earliest).some((s) => s.reorg)) return draft;
  if (draft.relaxing) {
    ctx.warn(`${draft.name}: "${draft.description}" needs a reorganization of ${draft.table} on ${ctx.caps.server}, so it waits for contract; until then the new version must keep writing what it relaxes`);
  }
  return { ...draft, earliest: 'contract' };
}

function providersOf(drafts: StepDraft[]): Map<string, StepDraft[]> {
  const providers = new Map<string, StepDraft[]>();
  for (const d of drafts) for (const f of d.provides) providers.set(f, [...(providers.get(f) ?? []), d]);
  return providers;
}

/** Demotes steps behind their dependencies until nothing moves (phases only ever move later). */
function assignPhases(drafts: StepDraft[]): Map<StepDraft, Phase> {
  const providers = providersOf(drafts);
  const phases = new Map(drafts.map((d) => [d, d.earliest]));
  for (let moved = true; moved; ) {
    moved = false;
    for (const d of drafts) {
      let phase = phases.get(d)!;
      for (const need of d.needs) {
        for (const p of providers.get(need) ?? []) if (p !== d) phase = laterPhase(phase, phases.get(p)!);
      }
      if (phase !== phases.get(d)) {
        phases.set(d, phase);
        moved = true;
      }
    }
  }
  return phases;
}

/** Phase order, then a stable topological order by needs, ties broken by rank and diff order. */
function order(drafts: StepDraft[], phases: Map<StepDraft, Phase>): StepDraft[] {
  const rank = (d: StepDraft) => RANK[d.operation];
  const position = new Map(drafts.map((d, i) => [d, i]));
  const sorted = [...drafts].sort(
    (a, b) =>
      phaseIndex(phases.get(a)!) - phaseIndex(phases.get(b)!) || rank(a) - rank(b) || position.get(a)! - position.get(b)!,
  );
  const providers = providersOf(drafts);
  const done = new Set<StepDraft>();
  const result: StepDraft[] = [];
  for (const phase of PHASES) {
    const pending = sorted.filter((d) => phases.get(d) === phase);
    while (pending.length > 0) {
      const ready = pending.findIndex((d) =>
        d.needs.every((n) => (providers.get(n) ?? []).every((p) => p === d || done.has(p) || phases.get(p) !== phase)),
      );
      // A cycle cannot come from a valid declaration; fall back to rank order rather than stall.
      const [next] = pending.splice(ready === -1 ? 0 : ready, 1);
      done.add(next!);
      result.push(next!);
    }
  }
  return result;
}
