import type { TableCopySql } from '../../dialect.js';
import { fact, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Precheck } from '../step.js';

/** The dialect's copy SQL: a dialect whose capabilities choose the strategy without it is wrong. */
function copySql(ctx: PlanContext): TableCopySql {
  const sql = ctx.transitions.tableCopy;
  if (!sql) throw new Error('internal: the table-copy strategy needs TransitionSql.tableCopy, which this dialect lacks');
  return sql;
}

/** The new version writes these rows while the copy runs: a batch holds their share locks no longer than this. */
const COPY_BATCH_MS = 25;

const copyFact = (table: string, what: string) => `copy:${table}:${what}`;

/**
 * NOT NULL through a copy of the table (src/diff/not-null-copies.ts), in contract, in the steps a
 * stopped run has not done yet: the copy and its triggers, the rows, the swap, the replaced
 * table's drop. Writers wait only for the swap's rename, which changes metadata.
 */
export const setNotNullThroughCopy: Operation<'set-not-null-through-copy'> = ({ table, copy }, ctx) => {
  const sql = copySql(ctx);
  const columns = copy.notNull.map((c) => c.name);
  const noNull: Precheck[] = columns.map((name) => ({
    kind: 'not-null',
    table,
    columns: [name],
    description: `${table}.${name} has no NULL`,
    rule: { kind: 'not-null', columns: [name] },
  }));
  const base = { earliest: 'contract' as const, table, name: table, transactional: false, prechecks: () => [] };
  const steps: StepDraft[] = [];
  if (!copy.copying) {
    steps.push({
      ...base,
      operation: 'create-table-copy',
      description: `create ${copy.name}, a copy of ${table} with ${columns.join(', ')} NOT NULL, kept in step by triggers (the rows follow)`,
      render: () => sql.create(table, copy),
      provides: [copyFact(table, 'copying')],
      needs: columns.map((c) => fact.column(table, c)),
      restartsJob: copy.job,
    });
  }
  if (!copy.copied) {
    steps.push({
      ...base,
      operation: 'copy-table',
      description: `copy the rows of ${table} into ${copy.name} in batches, in ${copy.key.join(', ')} order`,
      render: () => [],
      lock: ctx.batchLock,
      provides: [copyFact(table, 'copied')],
      needs: [copyFact(table, 'copying')],
      work: { kind: 'backfill', job: { id: copy.job, table, key: copy.key, copy, targetBatchMs: COPY_BATCH_MS } },
    });
  }
  steps.push({
    ...base,
    operation: 'swap-table-copy',
    description: `set ${columns.map((c) => `${table}.${c}`).join(', ')} NOT NULL: swap ${copy.name} in for ${table} (one atomic rename; ${table} becomes ${copy.old})`,
    render: () => sql.swap(table, copy),
    together: true,
    // Again: a NULL written before the triggers came would have reached the copy as a value under a lax sql_mode.
    prechecks: () => noNull,
    provides: columns.map((c) => fact.notNull(table, c)),
    needs: [copyFact(table, 'copied')],
  });
  steps.push({
    ...base,
    operation: 'drop-replaced-table',
    description: `drop ${copy.old}, the ${table} the copy replaced`,
    render: () => [sql.dropOld(copy.old)],
    provides: [],
    needs: columns.map((c) => fact.notNull(table, c)),
  });
  // Once for the phase: the first step left to run carries the check, the swap checks again.
  return steps.map((s, i) => (i === 0 && s.operation !== 'swap-table-copy' ? { ...s, prechecks: () => noNull } : s));
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
