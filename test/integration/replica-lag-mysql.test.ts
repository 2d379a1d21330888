import { describe, expect, it } from 'vitest';
import { expand, migrate, status } from '../../src/api.js';
import { DbtideError } from '../../src/errors.js';
import { freePort } from '../support/free-port.js';
import { accountsV2, seedAccounts } from '../support/replica-lag-release.js';
import { mysqlTargets } from '../support/scratch-databases.js';

/** A scratch database with a backfill pending, and what the ledger holds of its runs. */
async function expanded(create: (label: string) => Promise<{ url: string; drop(): Promise<void> }>, label: string) {
  const scratch = await create(label);
  await seedAccounts(scratch.url, 100);
  await expand({ url: scratch.url }, accountsV2);
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
