import type { ColumnSync } from '../../model/transition.js';
import { fact, type Operation, type PlanContext } from '../operation.js';
import type { Precheck } from '../step.js';
import type { SyncSpec } from '../../model/sync-spec.js';

/**
 * The sync with every expression final: a rename copies the other column (its name quoted, so
 * `userName` is not read as `username`), a change-type's conversion defaults to a cast, and what
 * new code writes to its shadow (through a version view) is cast back to the old column's type.
 */
export function syncSpec(s: ColumnSync, ctx: Pick<PlanContext, 'sql'>): SyncSpec {
  const { quote, cast } = ctx.sql;
  const copies = (columns: Record<string, string>) => Object.fromEntries(Object.entries(columns).map(([to, from]) => [to, quote(from)]));
  const rename = s.declaredAs === 'rename-column';
  const forward = s.swap
    ? { [s.swap.shadow]: s.swap.using ?? cast(quote(s.swap.column), s.swap.type) }
    : rename ? copies(s.forward) : s.forward;
  const backward = s.swap?.from
    ? { [s.swap.column]: cast(quote(s.swap.shadow), s.swap.from) }
    : rename ? copies(s.backward) : s.backward;
  return { table: s.table, trigger: s.trigger, forward, backward, fillOnly: s.fillOnly, sources: s.sources };
}

const targetsOf = (spec: SyncSpec) => Object.keys(spec.forward);

const describe = (spec: SyncSpec) =>
  Object.entries(spec.forward).map(([c, e]) => `${spec.table}.${c} = ${e}`).join(', ');

/**
 * Before contract drops the trigger. A rename copies both ways, so every row holds the same value
 * under both names. Any other sync only checks that every row is filled: a row the new version
 * wrote holds its own value, which the forward expressions need not give.
 */
export function verification(s: ColumnSync, ctx: PlanContext): Precheck {
  const spec = syncSpec(s, ctx);
  const exact = s.declaredAs === 'rename-column';
  return {
    kind: 'verification',
    table: s.table,
    columns: targetsOf(spec),
    description: exact
      ? `every row has ${describe(spec)}`
      : `${targetsOf(spec).map((c) => `${s.table}.${c}`).join(', ')} filled (no row left empty where ${Object.values(spec.forward).join(', ')} is not NULL)`,
    rule: { kind: 'verification', sync: spec, exact },
  };
}

/** Expand: from now on every write by old code reaches the new columns, and back where declared. */
export const installSync: Operation<'install-sync'> = ({ table, sync, key }, ctx) => {
  const spec = syncSpec(sync, ctx);
  return [{
    operation: 'install-sync',
    name: `${table}.${sync.trigger}`,
    earliest: 'expand',
    table,
    description: `install dual-write trigger ${sync.trigger} (${sync.declaredAs}: ${describe(spec)}${Object.keys(sync.backward).length > 0 ? ', and back' : ''})`,
    render: () => ctx.transitions.createSyncTrigger({ ...spec, key }),
    transactional: true,
    prechecks: () => [],
    provides: [fact.synced(sync.id)],
    needs: [...targetsOf(spec), ...Object.keys(sync.backward)].map((c) => fact.column(table, c)),
  }];
};

/**
 * Migrate: rows written before the trigger existed get their new columns, in resumable batches.
 * Only rows whose new columns are all still empty: the trigger fills old code's rows, and a row
 * the new version wrote keeps what it wrote.
 */
export const backfill: Operation<'backfill'> = ({ table, sync, key }, ctx) => {
  const spec = syncSpec(sync, ctx);
  const q = ctx.sql.quote;
  return [{
    operation: 'backfill',
    name: `${table}.${targetsOf(spec).join(',')}`,
    earliest: 'migrate',
    table,
    description: `backfill ${describe(spec)} in batches, in ${key.join(', ')} order, where ${targetsOf(spec).join(', ')} still empty`,
    render: () => [],
    lock: ctx.batchLock,
    transactional: false,
    prechecks: () => [],
    provides: [fact.backfilled(sync.id)],
    needs: [fact.synced(sync.id)],
    work: { kind: 'backfill', job: { id: sync.id, table, key, set: spec.forward, where: targetsOf(spec).map((c) => `${q(c)} IS NULL`).join(' AND ') } },
  }];
};

/** Contract: the new columns are verified, the trigger goes, and the retired columns are free to drop. */
export const removeSync: Operation<'remove-sync'> = ({ table, sync }, ctx) => [{
  operation: 'remove-sync',
  name: `${table}.${sync.trigger}`,
  earliest: 'contract',
  table,
  description: `verify and drop dual-write trigger ${sync.trigger}`,
  render: () => ctx.transitions.dropSyncTrigger(table, sync.trigger),
  transactional: true,
  prechecks: () => [verification(sync, ctx)],
  provides: [fact.unsynced(sync.id), ...sync.retires.map((c) => fact.released(table, c))],
  needs: [fact.backfilled(sync.id)],
}];

/** Contract: the shadow column takes the old column's place, in one transaction. */
export const swapColumn: Operation<'swap-column'> = ({ table, sync, unlocked }, ctx) => {
  const { column, shadow } = sync.swap!;
  if (unlocked !== undefined) {
    ctx.warn(`cluster: the swap of ${table}.${column} takes no table lock, which holds on one node only: writes to ${table} through any node fail for the milliseconds between the swap and the triggers' drop (no copy can carry it: ${unlocked})`);
  }
  return [{
    operation: 'swap-column',
    name: `${table}.${column}`,
    destructive: true,
    earliest: 'contract',
    table,
    description: `swap ${table}.${column} for its converted copy ${shadow} (drops the old column)`,
    render: () => ctx.transitions.swapColumn(table, column, shadow, sync.trigger, { tableLock: unlocked === undefined }),
    transactional: true,
    together: true,
    prechecks: () => [verification(sync, ctx)],
    provides: [fact.column(table, column), fact.unsynced(sync.id)],
    needs: [fact.backfilled(sync.id)],
  }];
};
