/**
 * Vitest global setup: where no MYSQL_URL names a MySQL 8 server but a Docker engine is
 * reachable, the suite's `mysql` target runs against a MySQL 8.4 container (testcontainers),
 * started once for the run and removed afterwards. Without either, the suite runs on PostgreSQL,
 * PGlite and MariaDB, and says so.
 */
import { dockerReachable } from './docker.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    mysqlUrl: string | undefined;
  }
}

const IMAGE = 'mysql:8.4';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.MYSQL_URL) {
    project.provide('mysqlUrl', process.env.MYSQL_URL);
    return undefined;
  }
  if (!dockerReachable()) {
    project.provide('mysqlUrl', undefined);
    console.error('[dbtide tests] no MYSQL_URL and no Docker engine: the MySQL 8 target does not run (MariaDB does)');
    return undefined;
  }
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const container = await new MySqlContainer(IMAGE).withRootPassword('dbtide').start();
  project.provide('mysqlUrl', `mysql://root:dbtide@${container.getHost()}:${container.getPort()}/`);
  return async () => {
    await container.stop();
  };
}
