import type { TransactionOptions } from '../dialect.js';

/** How a driver opens and ends a transaction on its session. */
export interface TransactionControl {
  begin(readOnly: boolean): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
  /** Runs `setup` in the open transaction, then makes it read-only (`TransactionOptions.setup`). */
  turnReadOnlyAfter?(setup: string[]): Promise<unknown>;
}

/** What every driver's `Connection.transaction` does around its own begin, commit and rollback. */
export async function runTransaction<T>(control: TransactionControl, work: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const readOnly = options.readOnly === true;
  const setup = options.setup ?? [];
  if (setup.length > 0 && !(readOnly && control.turnReadOnlyAfter)) {
    throw new Error('internal: setup statements need a read-only transaction on a session that can turn one read-only');
  }
  await control.begin(readOnly && setup.length === 0);
  try {
    if (setup.length > 0) await control.turnReadOnlyAfter!(setup);
    const result = await work();
    await (readOnly ? control.rollback() : control.commit());
    return result;
  } catch (error) {
    // The caller needs work's error; a session the rollback could not reach fails its next query anyway.
    await control.rollback().catch(() => {});
    throw error;
  }
}
