import type { TableCopySql } from '../../dialect.js';
import { convertedNote, fact, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Precheck } from '../step.js';
import type { TableCopy } from '../../model/table-copy.js';
import { duplicates, uniqueFacts } from './add-unique.js';
import { violations } from './add-constraint.js';
import { syncSpec, verification } from './column-sync.js';
import { keyColumns } from '../../model/index-entry.js';
import type { Statement } from '../../model/locks.js';

/** The dialect's copy SQL: a dialect whose capabilities choose the strategy without it is wrong. */
function copySql(ctx: PlanContext): TableCopySql {
  const sql = ctx.transitions.tableCopy;
  if (!sql) throw new Error('internal: the table-copy strategy needs TransitionSql.tableCopy, which this dialect lacks');
  return sql;
}

/** The new version writes these rows while the copy runs: a batch holds their share locks no longer than this. */
const COPY_BATCH_MS = 25;

/** What a copy is for: indexes in expand, backfills in migrate, or a NOT NULL in contract. */
interface Purpose {
  phase: 'expand' | 'migrate' | 'contract';
  /** The steps' name: a table may have both copies in one plan. */
  name: string;
  /** Facts of this copy's steps: a table may have both in one plan, one per phase. */
  facts: string;
  /** What the copy is `LIKE the table` but for, for the descriptions. */
  shape: string;
  /** What the swap achieves. */
  swapped: string;
  provides: string[];
  /** The needs of the first step. */
  needs: string[];
  prechecks: Precheck[];
  /** The job's batch time and sessions, unless the run sets them. */
  batches?: { targetBatchMs: number; workers: number };
}

/**
 * A copy of the table, in the steps a stopped run has not done yet: the copy and its triggers, the
 * rows, the swap, the replaced table's drop. Writers wait only for the swap's rename, which
 * changes metadata.
 */
function copySteps(table: string, copy: TableCopy, ctx: PlanContext, purpose: Purpose): StepDraft[] {
  const sql = copySql(ctx);
  const fills = copy.fills.map((s) => syncSpec(s, ctx));
  const fact = (what: string) => `${purpose.facts}:${table}:${what}`;
  const base = { earliest: purpose.phase, table, name: purpose.name, transactional: false, prechecks: () => [] };
  const steps: StepDraft[] = [];
  if (!copy.copying) {
    steps.push({
      ...base,
      operation: 'create-table-copy',
      description: `create ${copy.name}, a copy of ${table} ${purpose.shape}, kept in step by triggers (the rows follow)`,
      render: () => sql.create(table, copy, fills, shapeOf(table, copy, ctx)),
      provides: [fact('copying')],
      needs: purpose.needs,
      restartsJob: copy.job,
    });
  }
  if (!copy.copied) {
    steps.push({
      ...base,
      operation: 'copy-table',
      description: `copy the rows of ${table} into ${copy.name} in batches, in ${copy.key.join(', ')} order${fills.length > 0 ? `, computing ${fills.flatMap((f) => Object.keys(f.forward)).join(', ')} where still empty` : ''}`,
      render: () => [],
      lock: ctx.batchLock,
      provides: [fact('copied')],
      needs: [fact('copying')],
      work: { kind: 'backfill', job: { id: copy.job, table, key: copy.key, copy, fills, ...purpose.batches } },
    });
  }
  steps.push({
    ...base,
    operation: 'swap-table-copy',
    description: `${purpose.swapped}: swap ${copy.name} in for ${table} (one atomic rename; ${table} becomes ${copy.old})`,
    render: () => sql.swap(table, copy, fills),
    together: true,
    // Again: a NULL written before the triggers came would have reached the copy as a value under a lax sql_mode.
    prechecks: () => purpose.prechecks,
    provides: purpose.provides,
    needs: [fact('copied')],
    ...(copy.fills.length > 0 ? { finishesJobs: copy.fills.map((s) => s.id) } : {}),
  });
  steps.push({
    ...base,
    operation: 'drop-replaced-table',
    description: `drop ${copy.old}, the ${table} the copy replaced`,
    render: () => [sql.dropOld(copy.old)],
    provides: [],
    needs: purpose.provides,
  });
  // Once for the phase: the first step left to run carries the check, the swap checks again.
  return steps.map((s, i) => (i === 0 && s.operation !== 'swap-table-copy' ? { ...s, prechecks: () => purpose.prechecks } : s));
}

/** What the copy, empty, is given besides its table's shape: keys and indexes, built on no rows. */
function shapeOf(table: string, copy: TableCopy, ctx: PlanContext): Statement[] {
  const statements = [
    ...copy.uniques.map((key) => ctx.sql.addUnique(copy.name, key, { usingIndex: null })),
    ...copy.checks.map((check) => ctx.sql.addCheck(copy.name, check, { validate: true })),
    ...copy.indexes.map((index) => ctx.sql.createIndex(copy.name, index, ctx.indexKeys(table, index.columns), { online: false })),
  ];
  return statements.map(({ lock: { scansTable: _rows, ...lock }, ...s }) => ({ ...s, lock: { ...lock, blocksWrites: false, rewritesTable: false } }));
}

/**
 * NOT NULL, and on a cluster unique keys, checks and type changes' swaps, through a copy of the table
 * (src/diff/not-null-copies.ts), in contract. A swapped column is read from its shadow until the
 * rename.
 */
export const setNotNullThroughCopy: Operation<'set-not-null-through-copy'> = ({ table, copy }, ctx) => {
  const columns = copy.notNull.map((c) => c.name);
  const swapped = copy.swaps.map((s) => s.swap!.column);
  const made = [
    ...swapped.map((c) => `${c} of its new type`),
    ...(columns.length > 0 ? [`${columns.join(', ')} NOT NULL`] : []),
    ...copy.uniques.map((k) => `unique ${k.name} (${k.columns.join(', ')})`),
    ...copy.checks.map((k) => `check ${k.name}`),
  ].join(' and ');
  const notNull = (name: string): Precheck => {
    const read = ctx.converted(table, name);
    return { kind: 'not-null', table, columns: [read], description: `${table}.${name} has no NULL${convertedNote([name], [read])}`, rule: { kind: 'not-null', columns: [read] } };
  };
  return copySteps(table, copy, ctx, {
    phase: 'contract',
    name: table,
    facts: 'copy',
    shape: `with ${made}`,
    swapped: [
      ...swapped.map((c) => `swap in the converted ${table}.${c}`),
      ...columns.map((c) => `set ${table}.${c} NOT NULL`),
      ...copy.uniques.map((k) => `unique ${k.name} on ${table}`),
      ...copy.checks.map((k) => `check ${k.name} on ${table}`),
    ].join(', '),
    provides: [
      ...columns.map((c) => fact.notNull(table, c)),
      ...copy.uniques.flatMap((k) => uniqueFacts(table, k)),
      ...copy.checks.map((k) => fact.constraint(table, k.name)),
      ...copy.swaps.flatMap((s) => [fact.column(table, s.swap!.column), fact.unsynced(s.id)]),
    ],
    needs: [
      ...[...new Set([...columns, ...copy.uniques.flatMap((k) => k.columns)])].filter((c) => !swapped.includes(c)).map((c) => fact.column(table, c)),
      ...copy.swaps.map((s) => fact.backfilled(s.id)),
    ],
    prechecks: [
      ...copy.swaps.map((s) => verification(s, ctx)),
      ...columns.map(notNull),
      ...copy.uniques.map((k) => duplicates(table, k, ctx)),
      ...copy.checks.map((k) => violations(table, k)),
    ],
    // One session: the writers' waits were measured so.
    batches: { targetBatchMs: COPY_BATCH_MS, workers: 1 },
  });
};

/**
 * Backfills through a copy of the table (src/diff/not-null-copies.ts), in migrate: the copy's
 * batches compute the new columns as they copy the rows, and the syncs' triggers go along to the
 * copy at the swap. Batches as a backfill's (`--batch-ms`, default 500 ms).
 */
export const backfillThroughCopy: Operation<'backfill-through-copy'> = ({ table, copy }, ctx) => {
  const targets = copy.fills.flatMap((s) => Object.keys(syncSpec(s, ctx).forward));
  return copySteps(table, copy, ctx, {
    phase: 'migrate',
    name: `${table}.${targets.join(',')}`,
    facts: 'fill-copy',
    shape: 'as it stands',
    swapped: `backfill ${targets.map((c) => `${table}.${c}`).join(', ')}`,
    provides: copy.fills.map((s) => fact.backfilled(s.id)),
    needs: copy.fills.map((s) => fact.synced(s.id)),
    prechecks: [],
  });
};

/** What a copy left that no pending NOT NULL explains (the release changed, or the table is gone): its triggers would refuse NULLs the release accepts. */
export const dropTableCopy: Operation<'drop-table-copy'> = ({ table, leftover }, ctx) => [{
  operation: 'drop-table-copy',
  name: table,
  earliest: 'contract',
  table,
  description: `drop what a NOT NULL through a copy left of ${table}: ${[leftover.triggers && 'its triggers', leftover.copy, leftover.old].filter(Boolean).join(', ')}`,
  render: () => copySql(ctx).dropLeftover(leftover),
  transactional: false,
  prechecks: () => [],
  provides: [],
  needs: [],
}];

/**
 * On a cluster that replicates DDL in total order, a large table's new indexes (src/diff/not-null-copies.ts),
 * in expand: built on the empty copy, which the batches then fill, and swapped in by one rename.
 */
export const indexThroughCopy: Operation<'index-through-copy'> = ({ table, copy }, ctx) => {
  const built = copy.indexes.map((i) => `index ${i.name} (${i.columns.join(', ')})`).join(' and ');
  const columns = new Set(copy.indexes.flatMap((i) => [...keyColumns(ctx.indexKeys(table, i.columns)), ...i.include]));
  return copySteps(table, copy, ctx, {
    phase: 'expand',
    name: `${table}.${copy.indexes.map((i) => i.name).join(',')}`,
    facts: 'index-copy',
    shape: `with ${built}`,
    swapped: `create ${built} on ${table}`,
    provides: copy.indexes.map((i) => fact.index(table, i.name)),
    needs: [fact.table(table), ...[...columns].map((c) => fact.column(table, c))],
    prechecks: [],
    batches: { targetBatchMs: COPY_BATCH_MS, workers: 1 },
  });
};
