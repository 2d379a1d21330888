/** How a driver opens and ends a transaction on its session. */
export interface TransactionControl {
  begin(readOnly: boolean): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
}

/** What every driver's `Connection.transaction` does around its own begin, commit and rollback. */
export async function runTransaction<T>(control: TransactionControl, work: () => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const readOnly = options.readOnly === true;
  await control.begin(readOnly);
  try {
    const result = await work();
    await (readOnly ? control.rollback() : control.commit());
    return result;
  } catch (error) {
    // The caller needs work's error; a session the rollback could not reach fails its next query anyway.
    await control.rollback().catch(() => {});
    throw error;
  }
}
