import type { HeldRunLock } from '../dialect.js';

/** A held run lock whose `release` gives it up once, however often it is called. */
export function releasedOnce(release: () => Promise<unknown>): HeldRunLock {
  let released: Promise<void> | null = null;
  return {
    release: () => (released ??= release().then(() => undefined)),
  };
}
