/**
 * Throwaway databases for integration tests: each test file creates its own and drops it, so
 * files can run in parallel and never touch a database someone else uses. They are made the way
 * verify-chain makes its own (the dialect's `createScratch`), named `dbtide_t_<label>_<6 hex>`.
 */
import { inject } from 'vitest';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import type { Connection, Dialect, ScratchDatabase } from '../../src/dialect.js';

export type { ScratchDatabase };

export type ScratchTarget = {
  name: 'postgres' | 'pglite' | 'mariadb' | 'mysql';
  dialect: Dialect;
  create(label: string): Promise<ScratchDatabase>;
};

const postgresServer = inject('postgresAdminUrl');
const mariadbServer = inject('mariadbAdminUrl');

/** No server of the dialect could be had: its tests are skipped, and the run said why at its start. */
export const noPostgres = postgresServer === undefined;
export const noMariadb = mariadbServer === undefined;

const serverOf = (url: string | undefined, name: string) => {
  if (url === undefined) throw new Error(`internal: no ${name} server for the tests, yet a test that needs one ran: skip it where no${name} is true`);
  return url;
};

/** The server scratch databases live on, as the suite's global setup found or started it (test/support/postgres-server.ts). */
export const postgresAdminUrl = () => serverOf(postgresServer, 'Postgres');

/** A new empty database on the server of postgresAdminUrl(). */
export const scratchPostgres = (label: string) => postgresDialect.createScratch(postgresAdminUrl(), `t_${label}`);

/**
 * A fresh PGlite data directory under the system temp directory. A directory rather than
 * `pglite:memory`, because two connections to `pglite:memory` would be two separate databases.
 * Only one connection may have the directory open at a time.
 */
export const scratchPglite = (label = 'pglite') => postgresDialect.createScratch('pglite:', `t_${label}`);

/** DBTIDE_TEST_TARGETS=postgres: only the targets named (the version matrix runs the server's alone). */
const chosen = process.env.DBTIDE_TEST_TARGETS?.split(',').map((t) => t.trim());
const missing = new Set([...(noPostgres ? ['postgres'] : []), ...(noMariadb ? ['mariadb'] : [])]);
const only = (list: ScratchTarget[]) => list.filter((t) => !missing.has(t.name) && (!chosen || chosen.includes(t.name)));

/** For `describe.each(postgresTargets)`: the same test against the server and the embedded database. */
export const postgresTargets: ScratchTarget[] = only([
  { name: 'postgres', dialect: postgresDialect, create: scratchPostgres },
  { name: 'pglite', dialect: postgresDialect, create: scratchPglite },
]);

/** The MariaDB server, as the suite's global setup found or started it (test/support/mariadb-server.ts). */
export const mariadbAdminUrl = () => serverOf(mariadbServer, 'Mariadb');

export const scratchMariadb = (label: string) => mysqlDialect.createScratch(mariadbAdminUrl(), `t_${label}`);

/** MySQL 8: MYSQL_URL, or the container test/support/mysql-container.ts started where Docker runs. */
const mysqlUrl = inject('mysqlUrl');

/** MariaDB always (it runs on every machine of this project); MySQL 8 where a server is at hand. */
export const mysqlTargets: ScratchTarget[] = only([
  { name: 'mariadb', dialect: mysqlDialect, create: scratchMariadb },
  ...(mysqlUrl ? [{ name: 'mysql' as const, dialect: mysqlDialect, create: (label: string) => mysqlDialect.createScratch(mysqlUrl, `t_${label}`) }] : []),
]);

/** For `describe.each(targets)`: one suite against every dialect. */
export const targets: ScratchTarget[] = [...postgresTargets, ...mysqlTargets];

/** Runs `work` on a connection and closes it afterwards, whatever happens. */
export async function withConnection<T>(opening: Promise<Connection>, work: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await opening;
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}
