/**
 * Vitest global setup: the MariaDB server the suite's scratch databases live on. MARIADB_URL when
 * set; else the local service on 127.0.0.1:3306 when it answers; else one this run starts from the
 * installed server program (test/support/local-mariadb.ts), or else a MariaDB 10.11 container
 * where Docker runs (testcontainers); stopped and removed afterwards.
 */
import type { TestProject } from 'vitest/node';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { dockerReachable } from './docker.js';
import { mariadbInstalled, startLocalMariadb } from './local-mariadb.js';
import { LOCAL_MARIADB_URL } from './local-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Undefined where none could be had: the MariaDB tests are skipped. */
    mariadbAdminUrl: string | undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await connectMysql(url)).close();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.MARIADB_URL;
  if (given !== undefined || (await answers(LOCAL_MARIADB_URL))) {
    project.provide('mariadbAdminUrl', given ?? LOCAL_MARIADB_URL);
    return undefined;
  }
  if (!mariadbInstalled()) {
    if (dockerReachable()) return startContainer(project);
    console.error('[dbtide tests] no MARIADB_URL, nothing answers on 127.0.0.1:3306, no mariadbd is installed and no Docker engine: the MariaDB tests are skipped; set MARIADB_URL, or install MariaDB (apt-get install mariadb-server)');
    project.provide('mariadbAdminUrl', undefined);
    return undefined;
  }
  const server = await startLocalMariadb();
  console.error(`[dbtide tests] no MARIADB_URL and nothing answers on 127.0.0.1:3306: MariaDB started for this run at ${server.url}`);
  project.provide('mariadbAdminUrl', server.url);
  return () => server.stop();
}

const IMAGE = 'mariadb:10.11';

async function startContainer(project: TestProject): Promise<() => Promise<void>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({ MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1' })
    .withExposedPorts(3306)
    // The image's first start initializes on no port; the server the tests use says port: 3306.
    .withWaitStrategy(Wait.forLogMessage(/ready for connections[\s\S]*port: 3306/))
    .start();
  const url = `mysql://root@${container.getHost()}:${container.getMappedPort(3306)}/`;
  console.error(`[dbtide tests] no MARIADB_URL, nothing answers on 127.0.0.1:3306 and no mariadbd is installed: a ${IMAGE} container started for this run at ${url}`);
  project.provide('mariadbAdminUrl', url);
  return async () => {
    await container.stop();
  };
}
