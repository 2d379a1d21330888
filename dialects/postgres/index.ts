import type { Dialect } from '../../src/dialect.js';
import { postgresBackfill } from './backfill.js';
import { postgresCapabilities } from './capabilities.js';
import { postgresCompiler } from './compiler.js';
import { postgresSchemaObjects } from './schema-objects.js';
import { isPgliteUrl } from './accepts.js';
import { connectPglite, connectPostgres } from './driver.js';
import { estimateRowsPostgres, introspectPostgres } from './introspector.js';
import { postgresPrivileges } from './privileges.js';
import { postgresProbe } from './probe.js';
import { postgresRuntime } from './runtime.js';
import { postgresScan } from './scan.js';
import { createScratchPostgres } from './scratch.js';
import { postgresStatements } from './statement-classes.js';
import { postgresTransitions } from './transitions.js';

/** PostgreSQL, and PGlite (PostgreSQL compiled to WebAssembly) as the embedded default. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  connect: (url, options) => (isPgliteUrl(url) ? connectPglite(url, options) : connectPostgres(url)),
  concurrentSessions: (url) => !isPgliteUrl(url),
  async serverVersion(conn) {
    const [row] = await conn.query<{ server_version: string }>('SHOW server_version');
    return /^\d+(\.\d+)?/.exec(row?.server_version ?? '')?.[0] ?? '0';
  },
  capabilities: postgresCapabilities,
  offline: { latest: '17', spell: (version) => version },
  privileges: postgresPrivileges,
  introspect: introspectPostgres,
  estimateRows: estimateRowsPostgres,
  compiler: { ...postgresCompiler, schemaObjects: postgresSchemaObjects },
  runtime: postgresRuntime,
  backfill: postgresBackfill,
  transitions: postgresTransitions,
  scan: postgresScan,
  probe: postgresProbe,
  statements: postgresStatements,
  createScratch: createScratchPostgres,
};
