/**
 * Vitest global setup: the MariaDB server the suite's scratch databases live on. MARIADB_URL when
 * set; else the local service on 127.0.0.1:3306 when it answers; else one this run starts from the
 * installed server program (test/support/local-mariadb.ts), stopped and removed afterwards.
 */
import type { TestProject } from 'vitest/node';
import { connectMysql } from '../../dialects/mysql/driver.js';
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
    console.error('[dbtide tests] no MARIADB_URL, nothing answers on 127.0.0.1:3306 and no mariadbd is installed: the MariaDB tests are skipped; set MARIADB_URL, or install MariaDB (apt-get install mariadb-server)');
    project.provide('mariadbAdminUrl', undefined);
    return undefined;
  }
  const server = await startLocalMariadb();
  console.error(`[dbtide tests] no MARIADB_URL and nothing answers on 127.0.0.1:3306: MariaDB started for this run at ${server.url}`);
  project.provide('mariadbAdminUrl', server.url);
  return () => server.stop();
}
