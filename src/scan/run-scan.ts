import { planAgainst, type Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import { retryPolicy, type RetryPolicy } from '../execute/retry.js';
import { giveUp, takeRunLock } from '../execute/run-phase.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import type { Plan, Precheck } from '../plan/step.js';
import { findOffenders, type Offenders, type ScanFinding } from './find-offenders.js';
import { defaultToFill, repair, type FixMode, type RepairResult } from './repair.js';

/** Exit codes of `dbtide scan`: clean, or rows that would block a tightening remain. */
export const SCAN_EXIT = { clean: 0, offenders: 5 } as const;

export interface ScanOptions {
  /** Only the prechecks of this table. */
  table?: string;
  /** Offending keys listed per precheck (default 20). */
  limit?: number;
  /** Rows per key range of a scan. */
  batchRows?: number;
  fix?: FixMode;
  retry?: Partial<RetryPolicy>;
  /** How long a fix waits for another run's lock. */
  runLockWaitMs?: number;
  onEvent?: (event: ScanEvent) => void;
}

/** What a scan reports as it goes; `target` names the database (`Database.name`). */
export type ScanEvent = { target: string } & ScanEventBody;

type ScanEventBody =
  | { type: 'scanned'; finding: ScanFinding }
  | { type: 'repairing'; table: string; description: string; mode: FixMode }
  | { type: 'repaired-chunk'; table: string; rows: number };

export interface ScanReport {
  release: string;
  /** Offenders before any fix. */
  findings: ScanFinding[];
  /** Tightenings on tables or columns that expand has yet to create: nothing to scan yet. */
  waiting: string[];
  repairs: RepairResult[];
  /** After a fix: the scan again. Without one, the same as `findings`. */
  remaining: ScanFinding[];
  offending: number;
  exitCode: number;
}

const DEFAULT_LIMIT = 20;

/**
 * Lists the rows that would block each pending tightening (NOT NULL, UNIQUE, FOREIGN KEY, CHECK)
 * and, with `fix`, repairs them. A transition's verification is not a tightening: migrate fixes it.
 */
export async function runScan(db: Database, declared: DeclaredSchema, options: ScanOptions = {}): Promise<ScanReport> {
  const emit = (event: ScanEventBody) => options.onEvent?.({ ...event, target: db.name });
  const { plan, live } = await planAgainst(db, declared);
  if (options.table && !(options.table in declared.model.tables) && !(options.table in live.tables)) {
    throw new DbtideError(`no table ${options.table} in the declaration or the database`, 1, '`dbtide plan` lists the pending steps and their tables');
  }
  const { ready, waiting } = pendingTightenings(plan, live, options.table);
  const scanAll = async () => {
    const found: Offenders[] = [];
    for (const precheck of ready) {
      const offenders = await findOffenders(db, live, precheck, { limit: options.limit ?? DEFAULT_LIMIT, ...(options.batchRows ? { batchRows: options.batchRows } : {}) });
      emit({ type: 'scanned', finding: findingOf(offenders) });
      found.push(offenders);
    }
    return found;
  };

  const before = await scanAll();
  const repairs: RepairResult[] = [];
  let after = before;
  if (options.fix && before.some((f) => f.count > 0)) {
    repairs.push(...(await repairAll(db, live, declared, before, options.fix, options, emit)));
    after = await scanAll();
  }
  const remaining = after.map(findingOf);
  const offending = remaining.reduce((n, f) => n + f.count, 0);
  return {
    release: declared.release,
    findings: before.map(findingOf),
    waiting,
    repairs,
    remaining,
    offending,
    exitCode: offending > 0 ? SCAN_EXIT.offenders : SCAN_EXIT.clean,
  };
}

async function repairAll(
  db: Database,
  live: SchemaModel,
  declared: DeclaredSchema,
  found: Offenders[],
  mode: FixMode,
  options: ScanOptions,
  emit: (event: ScanEventBody) => void,
): Promise<RepairResult[]> {
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  const lock = await takeRunLock(db, options.runLockWaitMs ?? 30_000);
  try {
    for (const sql of db.dialect.runtime.lockTimeout(retry.lockTimeoutMs, false)) await db.conn.query(sql);
    const results: RepairResult[] = [];
    for (const offenders of found.filter((f) => f.count > 0)) {
      const blocker = mode === 'set-default' ? defaultToFill(declared, offenders.precheck) : null;
      if (typeof blocker === 'string') {
        results.push({ table: offenders.precheck.table, description: offenders.precheck.description, mode, rows: {}, skipped: blocker });
        continue;
      }
      emit({ type: 'repairing', table: offenders.precheck.table, description: offenders.precheck.description, mode });
      results.push(await repair(db, live, declared, offenders, mode, {
        retry,
        onChunk: (table, rows) => emit({ type: 'repaired-chunk', table, rows }),
      }));
    }
    return results;
  } finally {
    await giveUp(lock);
  }
}

const findingOf = (o: Offenders): ScanFinding => ({
  table: o.precheck.table,
  kind: o.precheck.kind,
  description: o.precheck.description,
  count: o.count,
  key: o.key,
  keys: o.keys,
});

/**
 * The tightening prechecks of every pending step, once each. One whose table or columns expand
 * has yet to create has no rows to scan (and its SQL would fail): it waits.
 */
function pendingTightenings(plan: Plan, live: SchemaModel, table: string | undefined): { ready: Precheck[]; waiting: string[] } {
  const seen = new Set<string>();
  const ready: Precheck[] = [];
  const waiting: string[] = [];
  for (const precheck of plan.steps.flatMap((s) => s.prechecks)) {
    const id = JSON.stringify([precheck.table, precheck.rule]);
    if (precheck.kind === 'verification' || seen.has(id) || (table && precheck.table !== table)) continue;
    seen.add(id);
    if (existsLive(precheck, live)) ready.push(precheck);
    else waiting.push(precheck.description);
  }
  return { ready, waiting };
}

function existsLive(precheck: Precheck, live: SchemaModel): boolean {
  const has = (table: string, columns: string[]) => {
    const t = live.tables[table];
    return t !== undefined && columns.every((c) => t.columns.some((col) => col.name === c));
  };
  const { rule } = precheck;
  if (rule.kind === 'foreign-key') return has(precheck.table, rule.foreignKey.columns) && has(rule.foreignKey.referencedTable, rule.foreignKey.referencedColumns);
  return has(precheck.table, precheck.columns);
}
