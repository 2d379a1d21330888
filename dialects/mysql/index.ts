import type { Dialect } from '../../src/dialect.js';
import { mysqlBackfill } from './backfill.js';
import { mysqlCapabilities } from './capabilities.js';
import { mysqlCompiler } from './compiler.js';
import { connectMysql } from './driver.js';
import { galeraCluster } from './galera.js';
import { averageRowBytesMysql, estimateRowsMysql, introspectMysql } from './introspector.js';
import { rebuildMemoryNotes } from './rebuild-memory.js';
import { mysqlPrivileges } from './privileges.js';
import { mysqlProbe } from './probe.js';
import { mysqlRuntime } from './runtime.js';
import { mysqlScan } from './scan.js';
import { createScratchMysql } from './scratch.js';
import { mysqlStatements } from './statement-classes.js';
import { mysqlTransitions } from './transitions.js';

/** MySQL 8 and MariaDB: one dialect, told apart by the version string the server reports. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  connect: (url) => connectMysql(url),
  concurrentSessions: () => true,
  async serverVersion(conn) {
    const [row] = await conn.query<{ version: string }>('SELECT VERSION() AS version');
    return row?.version ?? '0';
  },
  capabilities: mysqlCapabilities,
  cluster: galeraCluster,
  // MySQL's versions stop at 9, MariaDB's start at 10: `mysql@10.11` is MariaDB 10.11.
  offline: { latest: '8.4.0', spell: (version) => (Number.parseInt(version, 10) >= 10 ? `${version}-MariaDB` : version) },
  privileges: mysqlPrivileges,
  introspect: introspectMysql,
  estimateRows: estimateRowsMysql,
  averageRowBytes: averageRowBytesMysql,
  serverNotes: rebuildMemoryNotes,
  compiler: mysqlCompiler,
  runtime: mysqlRuntime,
  backfill: mysqlBackfill,
  transitions: mysqlTransitions,
  scan: mysqlScan,
  probe: mysqlProbe,
  statements: mysqlStatements,
  createScratch: createScratchMysql,
};
