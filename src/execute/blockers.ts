import type { Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import { describeHolder, NEW_TABLE_LOCK, type LockHolder } from '../model/locks.js';
import type { RunKind, Step } from '../plan/step.js';
import type { Emit } from './events.js';
import { appliedCapMs, sleep, type RetryPolicy } from './retry.js';

/** How often a step waiting for other sessions' locks looks again, and reports that it still waits. */
const POLL_MS = 200;
const REPORT_MS = 5000;

/** A step gave up waiting for other sessions to release its table; nothing of the statement ran. */
export class BlockedTooLong extends DbtideError {
  constructor(phase: RunKind, step: Step, waitedMs: number, readonly holders: LockHolder[]) {
    super(
      `${phase} waited ${Math.round(waitedMs / 1000)} s at step "${step.description}" (${step.id}) for other sessions to release ${step.table}, and gave up; the statement waiting did not run:\n${holders.map((h) => `  held by ${describeHolder(h)}`).join('\n')}`,
      1,
      `let the session(s) above finish (or end them yourself: dbtide never ends a session it did not open), then run ${phase} again: it resumes at this step; --max-blocked sets how long to wait`,
    );
    this.name = 'BlockedTooLong';
  }
}

/**
 * The holders an attempt would wait for. A busy holder younger than one cap is as likely a short
 * write in flight, which an attempt outwaits; an idle one waits for its client, however young.
 */
export const blocking = (holders: LockHolder[], minAgeMs: number) => holders.filter((h) => h.idle || h.seconds === null || h.seconds * 1000 >= minAgeMs);

/** Every holder is a session the server cannot place on the table: ask without waiting, rather than wait for it. */
export const onlyUnplaced = (holders: LockHolder[]) => holders.length > 0 && holders.every((h) => h.maybe);

/**
 * Watches the sessions that hold a lock on a step's table, so an attempt asks for the lock only
 * when none would make it wait: a transaction left open by the application would otherwise hold
 * the request, and every writer queued behind it, for a whole cap per attempt. One per step: its
 * bound (`maxBlockedMs`) counts from the step's first look.
 */
export function blockerWatch(db: Database, phase: RunKind, step: Step, retry: RetryPolicy, emit: Emit) {
  const started = Date.now();
  const minAgeMs = appliedCapMs(db.dialect.runtime, retry.lockTimeoutMs);
  return {
    /**
     * Resolves the cap for the next attempt once nothing holds the table: the policy's, or 0 when
     * the only holders are sessions the server cannot place on this table (MariaDB without
     * performance_schema), so the attempt asks once without waiting, and queues no one.
     */
    async clear(): Promise<number> {
      // Nobody else can know a table the same plan creates.
      if (!retry.waitForHolders || step.lock.level === NEW_TABLE_LOCK.level) return retry.lockTimeoutMs;
      let reported = -Infinity;
      for (;;) {
        const holders = blocking(await lockHolders(db, step), minAgeMs);
        const waitedMs = Date.now() - started;
        if (holders.length === 0) return retry.lockTimeoutMs;
        if (waitedMs >= retry.maxBlockedMs) throw new BlockedTooLong(phase, step, waitedMs, holders);
        if (waitedMs - reported >= REPORT_MS) {
          emit({ type: 'blocked', step, holders, waitedMs });
          reported = waitedMs;
        }
        if (onlyUnplaced(holders)) return 0;
        await sleep(POLL_MS);
      }
    },
    /** Waits a poll with jitter, after an attempt without waiting found the table held. */
    pause: () => sleep(POLL_MS / 2 + Math.random() * POLL_MS),
  };
}

/**
 * Who holds a lock on the step's table; none where the dialect cannot tell, or the step names no
 * table. Reading them must never be what fails the phase.
 */
export async function lockHolders(db: Database, step: Step): Promise<LockHolder[]> {
  const read = db.dialect.runtime.lockHolders;
  if (!read || step.table === '') return [];
  return read(db.conn, step.table).catch(() => []);
}
