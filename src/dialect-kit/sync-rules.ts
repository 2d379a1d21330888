import { fitName, MAX_IDENTIFIER_LENGTH } from '../declaration/names.js';
import type { SyncSpec } from '../model/sync-spec.js';

/** Forward: old columns to new (old code wrote). Backward: new columns to old (new code wrote). */
export type Direction = 'forward' | 'backward';

/** A test on the row being written (NEW), against the row before an UPDATE (OLD). */
export type RowTest =
  | { test: 'all-null'; columns: string[] }
  | { test: 'changed'; columns: string[] }
  | { test: 'unchanged'; columns: string[] }
  | { test: 'always' };

export interface SyncBranch {
  when: RowTest;
  go: Direction;
}

/**
 * What a dual-write trigger decides, for every dialect to render in its own syntax. Per event,
 * the first branch whose test holds decides; when none holds, the write is left alone.
 */
export interface SyncRules {
  insert: SyncBranch[];
  update: SyncBranch[];
  /** Columns whose UPDATE can need the trigger at all; null: any UPDATE. */
  updateOf: string[] | null;
}

/**
 * An INSERT that leaves the new columns empty came from old code (forward); one that fills them,
 * from new code (backward). An UPDATE that changes the new columns is new code (backward); one
 * that changes the old columns they are computed from is old code (forward); any other UPDATE
 * leaves both alone, so a lossy backward expression is never undone by an unrelated write. A fill
 * only fills what is still empty. The triggers only assign to the row being written, so they
 * never fire themselves again.
 */
export function syncRules(sync: SyncSpec): SyncRules {
  const targets = Object.keys(sync.forward);
  const empty: SyncBranch = { when: { test: 'all-null', columns: targets }, go: 'forward' };
  if (sync.fillOnly) return { insert: [empty], update: [empty], updateOf: null };
  const hasBackward = Object.keys(sync.backward).length > 0;
  return {
    insert: [empty, ...(hasBackward ? [{ when: { test: 'always' as const }, go: 'backward' as const }] : [])],
    update: [
      ...(hasBackward ? [{ when: { test: 'changed' as const, columns: targets }, go: 'backward' as const }] : []),
      sync.sources.length > 0
        ? { when: { test: 'changed', columns: sync.sources }, go: 'forward' }
        : { when: { test: 'unchanged', columns: targets }, go: 'forward' },
    ],
    // Without a way back, only an update of the old columns can need the trigger (the backfill's never does).
    updateOf: !hasBackward && sync.sources.length > 0 ? sync.sources : null,
  };
}

/**
 * Where a dialect writes a sync as one trigger per event, the name of the UPDATE one (and of its
 * function, where it has one); the INSERT trigger carries the sync's own name, is created last and
 * exists while the sync is complete, so introspection reports a sync by it.
 */
export const updateTriggerName = (trigger: string, maxName = MAX_IDENTIFIER_LENGTH) => fitName(`${trigger}_update`, maxName);
