/**
 * Vitest global setup: the PostgreSQL server the suite's scratch databases live on. PG_ADMIN_URL
 * when set; else the local service on 127.0.0.1:5432 when it answers; else a server this run
 * starts (test/support/embedded-postgres.ts), of the newest supported version, stopped and removed
 * afterwards. DBTIDE_PG_VERSION=<major> always starts that version: `npm run test:matrix`.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DEFAULT_POSTGRES_MAJOR, startEmbeddedPostgres } from './embedded-postgres.js';
import { LOCAL_POSTGRES_URL } from './local-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Undefined where none could be had: the PostgreSQL tests are skipped. */
    postgresAdminUrl: string | undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const major = process.env.DBTIDE_PG_VERSION;
  if (major === undefined) {
    const given = process.env.PG_ADMIN_URL;
    if (given !== undefined) {
      project.provide('postgresAdminUrl', given);
      return undefined;
    }
    if (await answers(LOCAL_POSTGRES_URL)) {
      project.provide('postgresAdminUrl', LOCAL_POSTGRES_URL);
      return undefined;
    }
  }
  const why = major === undefined ? 'no PG_ADMIN_URL and nothing answers on 127.0.0.1:5432' : `DBTIDE_PG_VERSION=${major}`;
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres(major ?? DEFAULT_POSTGRES_MAJOR);
  } catch (error) {
    // A matrix run asked for that version: not having it is a failure, not a skip.
    if (major !== undefined) throw error;
    console.error(`[dbtide tests] ${why}, and none could be started (${(error as Error).message.split('\n')[0]}): the PostgreSQL tests are skipped; set PG_ADMIN_URL, start PostgreSQL on 5432, or let npm reach its registry`);
    project.provide('postgresAdminUrl', undefined);
    return undefined;
  }
  console.error(`[dbtide tests] ${why}: PostgreSQL ${server.version} started for this run at ${server.url}`);
  project.provide('postgresAdminUrl', server.url);
  return () => server.stop();
}
