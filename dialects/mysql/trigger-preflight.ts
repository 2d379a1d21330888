import type { Connection } from '../../src/dialect.js';
import { CLUSTER_LOCK_TABLE } from './cluster-lock.js';

/** ER_BINLOG_CREATE_ROUTINE_NEED_SUPER: binary logging is on and the user lacks SUPER. */
const NEEDS_SUPER = 1419;
/** ER_TABLEACCESS_DENIED_ERROR: no TRIGGER privilege on the table. */
const ACCESS_DENIED = 1142;

const PROBE = '_dbtide_trigger_probe';

/**
 * Creates a trigger on a table of its own and drops both: the one reliable test, since the rules
 * involve binary logging, SUPER (or MySQL 8's SET_USER_ID), log_bin_trust_function_creators and
 * the TRIGGER privilege. Not on the ledger's tables: a first run checks before it creates them.
 * On a cluster node the run lock's table is there already (it is taken first): the trigger goes
 * on it, as a table created and dropped is a file made and removed on every node, in total order
 * with every commit of the cluster.
 */
export async function mysqlTriggerPreflight(conn: Connection): Promise<{ problem: string; fix: string } | null> {
  const onLock = (await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [CLUSTER_LOCK_TABLE])).length > 0;
  const table = onLock ? CLUSTER_LOCK_TABLE : PROBE;
  if (!onLock) await conn.query(`CREATE TABLE IF NOT EXISTS ${PROBE} (x int)`);
  try {
    await conn.query(`CREATE TRIGGER ${PROBE} BEFORE INSERT ON ${table} FOR EACH ROW SET @dbtide_probe = 1`);
    if (onLock) await conn.query(`DROP TRIGGER IF EXISTS ${PROBE}`);
    return null;
  } catch (error) {
    return explain(error);
  } finally {
    if (!onLock) await conn.query(`DROP TABLE IF EXISTS ${PROBE}`);
  }
}

export function explain(error: unknown): { problem: string; fix: string } {
  const { errno, message } = error as { errno?: number; message?: string };
  if (errno === NEEDS_SUPER) {
    return {
      problem: 'binary logging is on, and without the SUPER privilege MySQL refuses triggers unless log_bin_trust_function_creators is set',
      fix:
        'set it on the server (SET GLOBAL log_bin_trust_function_creators = 1, and log_bin_trust_function_creators = 1 in my.cnf so it survives a restart), ' +
        "or run dbtide as a user with SUPER (MySQL 8: SET_USER_ID or SYSTEM_USER); dbtide's triggers only copy columns of the row being written, so the setting's risk (non-deterministic routines in the binary log) does not come from them",
    };
  }
  if (errno === ACCESS_DENIED) {
    return {
      problem: `the user may not create triggers (${message ?? 'TRIGGER command denied'})`,
      fix: 'GRANT TRIGGER ON <database>.* TO <dbtide user>, then run the phase again',
    };
  }
  return { problem: message ?? String(error), fix: 'check that the user may create triggers on the tables (the TRIGGER privilege), then run the phase again' };
}
