/**
 * Vitest global setup: the Db2 live suite (test/integration/db2-live.test.ts) runs against DB2_URL,
 * or, with DB2_CONTAINER=1 where a Docker engine is reachable, against a Db2 Community container
 * (testcontainers) started for the run and removed afterwards. The image is large and its first
 * start takes minutes, so a container is only started when asked for. Without either the suite
 * is reported as skipped.
 */
import { dockerReachable } from './docker.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    db2Url: string | undefined;
  }
}

const IMAGE = 'icr.io/db2_community/db2';
const PASSWORD = 'dbtide';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DB2_URL) {
    project.provide('db2Url', process.env.DB2_URL);
    return undefined;
  }
  if (process.env.DB2_CONTAINER !== '1' || !dockerReachable()) {
    project.provide('db2Url', undefined);
    console.error('[dbtide tests] no DB2_URL (nor DB2_CONTAINER=1 with Docker): the Db2 live suite is skipped');
    return undefined;
  }
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withPrivilegedMode()
    .withEnvironment({ LICENSE: 'accept', DB2INSTANCE: 'db2inst1', DB2INST1_PASSWORD: PASSWORD, DBNAME: 'test', ARCHIVE_LOGS: 'false', AUTOCONFIG: 'false' })
    .withExposedPorts(50000)
    .withWaitStrategy(Wait.forLogMessage(/Setup has completed/).withStartupTimeout(15 * 60_000))
    .start();
  project.provide('db2Url', `db2://db2inst1:${PASSWORD}@${container.getHost()}:${container.getMappedPort(50000)}/test`);
  return async () => {
    await container.stop();
  };
}
