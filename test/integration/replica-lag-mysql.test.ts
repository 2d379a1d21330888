import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { contract, expand, migrate, status } from '../../src/api.js';
import { DbtideError } from '../../src/errors.js';
import type { RunEvent } from '../../src/execute/events.js';
import { freePort } from '../support/free-port.js';
import { mariadbInstalled } from '../support/local-mariadb.js';
import { mariadbReplayed, startMariadbReplicaPair, type MariadbReplicaPair } from '../support/mariadb-replica.js';
import { accountsV2, seedAccounts, wrongBalances } from '../support/replica-lag-release.js';
import { mysqlTargets, withConnection } from '../support/scratch-databases.js';

/** A scratch database with a backfill pending, and what the ledger holds of its runs. */
async function expanded(create: (label: string) => Promise<{ url: string; drop(): Promise<void> }>, label: string) {
  const scratch = await create(label);
  try {
    await seedAccounts(scratch.url, 100);
    await expand({ url: scratch.url }, accountsV2);
  } catch (error) {
    await scratch.drop();
    throw error;
  }
  const runs = async () => (await status({ url: scratch.url }, accountsV2)).runs.length;
  return { scratch, runs, before: await runs() };
}

describe.each(mysqlTargets)('replica lag settings on $name', (target) => {
  it('a lag limit without replicas is refused before anything changes, naming the fix', async () => {
    const { scratch, runs, before } = await expanded(target.create, 'lag_norep');
    try {
      const error = await migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 500 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbtideError);
      expect((error as Error).message).toMatch(/does not tell its replicas' lag to the primary/);
      expect((error as DbtideError).hint).toMatch(/--replica <url>/);
      expect(await runs()).toBe(before);
    } finally {
      await scratch.drop();
    }
  });

  it('an unreachable replica fails the run before it changes anything, its password hidden', async () => {
    const { scratch, runs, before } = await expanded(target.create, 'lag_unreach');
    try {
      const closed = `mysql://root:s3cret-pw@127.0.0.1:${await freePort()}/`;
      const error = await migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 500, replicas: [closed] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbtideError);
      expect((error as Error).message).toMatch(/^replica mysql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/ cannot be connected to/);
      expect(`${(error as Error).message} ${(error as DbtideError).hint}`).not.toContain('s3cret-pw');
      expect(await runs()).toBe(before);
    } finally {
      await scratch.drop();
    }
  });

  it('a server that replicates from none is no replica', async () => {
    const { scratch, runs, before } = await expanded(target.create, 'lag_notrep');
    try {
      await expect(migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 500, replicas: [scratch.url] } })).rejects.toThrow(/is not a replica/);
      expect(await runs()).toBe(before);
    } finally {
      await scratch.drop();
    }
  });
});

describe.skipIf(!mariadbInstalled())(`replica lag throttle on a MariaDB replica${mariadbInstalled() ? '' : ' (skipped: no mariadbd on this machine)'}`, () => {
  let pair: MariadbReplicaPair;
  beforeAll(async () => {
    pair = await startMariadbReplicaPair();
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('a backfill waits while the replica applies nothing, saying why, and completes once it does, every row right on both', async () => {
    await withConnection(connectMysql(pair.primaryUrl), (conn) => conn.query('CREATE DATABASE lagged'));
    const url = `${pair.primaryUrl}lagged`;
    const replicaUrl = `${pair.replicaUrl}lagged`;
    await seedAccounts(url, 20_000);
    await expand({ url }, accountsV2);
    await mariadbReplayed(pair);
    const replica = await connectMysql(pair.replicaUrl);
    try {
      await replica.query('STOP SLAVE SQL_THREAD');
      const events: RunEvent[] = [];
      let restarted = false;
      const onEvent = (event: RunEvent) => {
        events.push(event);
        if (event.type === 'replica-wait' && !restarted) {
          restarted = true;
          setTimeout(() => void replica.query('START SLAVE SQL_THREAD'), 1_000);
        }
      };
      const result = await migrate({ url }, accountsV2, { onEvent, replicaLag: { maxLagMs: 1_500, replicas: [replicaUrl], checkEveryMs: 50 } });
      expect(result.moreToDo).toBe(false);
      const wait = events.find((e) => e.type === 'replica-wait');
      expect(wait).toMatchObject({ replica: expect.stringMatching(/^127\.0\.0\.1:\d+\/lagged$/), lagMs: null, limitMs: 1_500, reason: expect.stringMatching(/SQL thread: No/) });
      expect((events.find((e) => e.type === 'replica-resumed') as { waitedMs: number } | undefined)?.waitedMs).toBeGreaterThanOrEqual(900);
      expect(events.filter((e) => e.type === 'work-progress').length).toBeGreaterThan(0);
      expect(events).toContainEqual(expect.objectContaining({ type: 'notice', message: expect.stringMatching(/counts replica lag in steps of 1000 ms: a limit of 1500 ms holds data work back while a replica is 2000 ms or more behind/) }));
    } finally {
      await replica.query('START SLAVE SQL_THREAD').catch(() => {});
      await replica.close();
    }
    await contract({ url }, accountsV2);
    await mariadbReplayed(pair);
    await withConnection(connectMysql(url), async (conn) => expect(await wrongBalances(conn)).toBe(0));
    await withConnection(connectMysql(replicaUrl), async (conn) => expect(await wrongBalances(conn)).toBe(0));
  });
});
