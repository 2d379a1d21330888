import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { HeldRunLock, RunLockSession } from '../../src/dialect.js';
import { quote } from './compiler.js';

/** The lease's length, and how often its holder renews it: a dead holder's lock frees itself after the lease. */
export const LEASE = { seconds: 30, renewMs: 5000 };

export const CLUSTER_LOCK_TABLE = '_dbtide_run_lock';
const DUPLICATE_KEY = 1062;
/** Galera: a write another node committed first fails certification, reported as a deadlock. */
const CERTIFICATION_FAILED = 1213;

/**
 * The run lock of a cluster node, where GET_LOCK locks that node only: a row of the database's own
 * lock table. A committed INSERT is certified on every node, so of two runs through two nodes one
 * gets the row (the other's insert fails as a duplicate or at certification). The row is a lease
 * renewed by its holder from a connection of its own while the run lasts; a holder killed without
 * releasing it leaves a row that expires, and the next run takes it.
 */
export async function tryClusterRunLock(session: RunLockSession, key: string): Promise<HeldRunLock | null> {
  const { conn } = session;
  const [{ db } = { db: null }] = await conn.query<{ db: string | null }>('SELECT DATABASE() AS db');
  // The renewing connection opens on the URL's database: the table is named with the run's.
  const table = `${db === null ? '' : `${quote(db)}.`}${quote(CLUSTER_LOCK_TABLE)}`;
  const exists = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [CLUSTER_LOCK_TABLE]);
  // Checked first: CREATE TABLE IF NOT EXISTS replicates in total order even when the table is there.
  if (exists.length === 0) {
    await conn.query(`CREATE TABLE IF NOT EXISTS ${table} (name varchar(64) NOT NULL PRIMARY KEY, holder varchar(200) NOT NULL, expires_at datetime(3) NOT NULL) ENGINE=InnoDB`);
  }
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  try {
    await conn.query(`DELETE FROM ${table} WHERE name = ? AND expires_at < NOW(3)`, [key]);
    await conn.query(`INSERT INTO ${table} (name, holder, expires_at) VALUES (?, ?, NOW(3) + INTERVAL ${LEASE.seconds} SECOND)`, [key, holder]);
  } catch (error) {
    const errno = (error as { errno?: unknown } | null)?.errno;
    if (errno === DUPLICATE_KEY || errno === CERTIFICATION_FAILED) return null;
    throw error;
  }
  return leaseHeld(session, table, key, holder);
}

function leaseHeld(session: RunLockSession, table: string, key: string, holder: string): HeldRunLock {
  const renewer = session.connect();
  // A renewal that fails (the node is gone) is retried at the next tick; the lease covers several.
  const renew = () =>
    renewer
      .then((c) => c.query(`UPDATE ${table} SET expires_at = NOW(3) + INTERVAL ${LEASE.seconds} SECOND WHERE name = ? AND holder = ?`, [key, holder]))
      .catch(() => {});
  const timer = setInterval(() => void renew(), LEASE.renewMs);
  timer.unref();
  let released: Promise<void> | null = null;
  return {
    release: () =>
      (released ??= (async () => {
        clearInterval(timer);
        try {
          await session.conn.query(`DELETE FROM ${table} WHERE name = ? AND holder = ?`, [key, holder]);
        } finally {
          await renewer.then((c) => c.close()).catch(() => {});
        }
      })()),
  };
}
