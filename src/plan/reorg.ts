import type { Capabilities, ReorgState, SqlCompiler } from '../dialect.js';
import { strategyMethod } from './strategy-methods.js';
import type { Step } from './step.js';

export interface ReorgInput {
  caps: Pick<Capabilities, 'server' | 'reorgBudget'>;
  sql: SqlCompiler;
  rows: Record<string, number> | undefined;
  /** What the server already counts toward each live table's reorganization. */
  live: Record<string, ReorgState>;
}

/**
 * Contract with the reorganizations Db2 needs after its REORG-recommended ALTERs (`Step.reorgAlters`).
 * A table is reorganized before its budget of such units of work runs out, before any other step
 * of the table (a unique key after its columns' NOT NULL), and after its last one, so the phase
 * never leaves it reorg-pending: once per table where its steps allow. A table an earlier run (or
 * another tool) left with pending ALTERs is reorganized too, so a contract stopped between an ALTER
 * and its REORG finishes the job when run again.
 */
export function withReorganizations(contract: Step[], input: ReorgInput): Step[] {
  const budget = input.caps.reorgBudget;
  if (budget === null) return contract;
  const pending = new Map(Object.entries(input.live).flatMap(([t, s]) => (s.alters > 0 || s.pending ? [[t, s.pending ? budget : s.alters] as const] : [])));
  const leftByEarlier = new Set(pending.keys());
  const count = new Map<string, number>();
  const reorganize = (table: string): Step => {
    const n = (count.get(table) ?? 0) + 1;
    count.set(table, n);
    const alters = pending.get(table)!;
    pending.delete(table);
    const why = leftByEarlier.delete(table) && alters > 0 ? 'ALTERs an earlier run left pending' : `${alters} REORG-recommended ALTER(s)`;
    const statement = strategyMethod(input.sql, 'reorgTable', 'reorgBudget')(table);
    return {
      id: `reorg-table:${table}${n > 1 ? `#${n}` : ''}`,
      phase: 'contract',
      operation: 'reorg-table',
      destructive: false,
      relaxing: false,
      table,
      description: `reorganize ${table} after its ${why} (${input.caps.server} allows ${budget} before a REORG, and no other change meanwhile)`,
      sql: [statement.sql],
      // The REORG utility commits on its own; it cannot share a unit of work.
      transactional: false,
      lock: statement.lock,
      estimatedRows: input.rows?.[table] ?? null,
      prechecks: [],
      provides: [],
      needs: [],
    };
  };
  const result: Step[] = [];
  const lastAlter = new Map(contract.flatMap((s, i) => (s.reorgAlters ? [[s.table, i] as const] : [])));
  for (const [i, step] of contract.entries()) {
    const spent = pending.get(step.table) ?? 0;
    const alters = step.reorgAlters ?? 0;
    if (pending.has(step.table) && (alters === 0 || spent + alters > budget)) result.push(reorganize(step.table));
    result.push(step);
    if (alters > 0) pending.set(step.table, (pending.get(step.table) ?? 0) + alters);
    if (lastAlter.get(step.table) === i) result.push(reorganize(step.table));
  }
  // Tables left pending that this contract does not otherwise touch.
  for (const table of [...pending.keys()]) result.push(reorganize(table));
  return result;
}
