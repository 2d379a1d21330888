import type { Dialect } from '../../src/dialect.js';
import { db2Backfill } from './backfill.js';
import { db2Capabilities } from './capabilities.js';
import { db2Compiler } from './compiler.js';
import { connectDb2, serverVersionDb2 } from './driver.js';
import { estimateRowsDb2, introspectDb2, reorgStateDb2 } from './introspector.js';
import { db2Privileges } from './privileges.js';
import { db2Probe } from './probe.js';
import { db2Runtime } from './runtime.js';
import { db2Scan } from './scan.js';
import { createScratchDb2 } from './scratch.js';
import { db2Statements } from './statement-classes.js';
import { db2Transitions } from './transitions.js';

/** IBM Db2 for Linux, UNIX and Windows; ibm_db is loaded only when a db2:// URL connects. */
export const db2Dialect: Dialect = {
  name: 'db2',
  connect: (url) => connectDb2(url),
  concurrentSessions: () => true,
  serverVersion: serverVersionDb2,
  capabilities: db2Capabilities,
  offline: { latest: '11.5', spell: (version) => version },
  privileges: db2Privileges,
  introspect: introspectDb2,
  estimateRows: estimateRowsDb2,
  reorgState: reorgStateDb2,
  compiler: db2Compiler,
  runtime: db2Runtime,
  backfill: db2Backfill,
  transitions: db2Transitions,
  scan: db2Scan,
  probe: db2Probe,
  statements: db2Statements,
  createScratch: createScratchDb2,
};
