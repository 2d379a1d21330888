import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, status } from '../../src/api.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { DbtideError } from '../../src/errors.js';
import type { RunEvent } from '../../src/execute/events.js';
import { freePort } from '../support/free-port.js';
import { runInProcess } from '../support/in-process-cli.js';
import { replayed, replicaToolsMissing, startReplicaPair, type ReplicaPair } from '../support/pg-replica.js';
import { accountsV2, seedAccounts, wrongBalances } from '../support/replica-lag-release.js';
import { releaseDir } from '../support/release-files.js';
import { noPostgres, scratchPglite, scratchPostgres, withConnection } from '../support/scratch-databases.js';

const ROWS = 20_000;

const onDatabase = (url: string, database: string) => url.replace(/\/postgres$/, `/${database}`);

/** A scratch database on the pair's primary, `accounts` seeded and expanded to v2: migrate has a backfill to do. */
async function expandedOnPair(pair: ReplicaPair, database: string): Promise<{ url: string; replicaUrl: string }> {
  await withConnection(postgresDialect.connect(pair.primaryUrl), (conn) => conn.query(`CREATE DATABASE ${database}`));
  const url = onDatabase(pair.primaryUrl, database);
  await seedAccounts(url, ROWS);
  await expand({ url }, accountsV2);
  await replayed(pair);
  return { url, replicaUrl: onDatabase(pair.replicaUrl, database) };
}

/** Writes on the primary, and waits (up to 10 s) until the paused replica has received more than it replayed. */
async function received(url: string, replica: pg.Client): Promise<void> {
  await withConnection(postgresDialect.connect(url), (conn) => conn.query('CREATE TABLE replay_marker (at timestamptz); INSERT INTO replay_marker VALUES (now())'));
  for (let i = 0; i < 200; i++) {
    const { rows } = await replica.query<{ behind: boolean }>('SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS behind');
    if (rows[0]?.behind) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the paused replica received nothing within 10 s');
}

/** An application writing a row every 50 ms, until stopped. */
async function writer(url: string) {
  const conn = await postgresDialect.connect(url);
  await conn.query('CREATE TABLE IF NOT EXISTS app_writes (at timestamptz)');
  const timer = setInterval(() => void conn.query('INSERT INTO app_writes VALUES (now())').catch(() => {}), 50);
  return { stop: async () => (clearInterval(timer), await conn.close()) };
}

const missingTools = replicaToolsMissing();

describe.skipIf(missingTools !== null)(`replica lag throttle on a PostgreSQL streaming replica${missingTools ? ` (skipped: ${missingTools})` : ''}`, () => {
  let pair: ReplicaPair;
  let replica: pg.Client;
  beforeAll(async () => {
    pair = await startReplicaPair();
    replica = new pg.Client({ connectionString: pair.replicaUrl });
    await replica.connect();
  });
  afterAll(async () => {
    await replica?.end().catch(() => {});
    await pair?.stop();
  });

  it('a backfill waits while the replica is behind, says so, and completes once it replays again, every row right', async () => {
    const { url, replicaUrl } = await expandedOnPair(pair, 'on_replica');
    await replica.query('SELECT pg_wal_replay_pause()');
    // A write the replica receives and does not replay: it is behind before the first batch,
    // however few batches the backfill takes.
    await received(url, replica);
    // The lag reads as the age of the last transaction the replica replayed: let it pass the limit.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const events: RunEvent[] = [];
    let resumedReplay = 0;
    const onEvent = (event: RunEvent) => {
      events.push(event);
      if (event.type === 'replica-wait' && resumedReplay === 0) {
        setTimeout(() => void replica.query('SELECT pg_wal_replay_resume()'), 1_000);
        resumedReplay = Date.now() + 1_000;
      }
    };
    const secretUrl = replicaUrl.replace('postgres@', 'postgres:s3cret-pw@');
    const result = await migrate({ url }, accountsV2, { onEvent, backfill: { initialBatch: 2_000, targetBatchMs: 50 }, replicaLag: { maxLagMs: 300, replicas: [secretUrl], checkEveryMs: 50 } })
      // Replayed again whatever happened, so the next cases find the replica caught up.
      .finally(() => replica.query('SELECT pg_wal_replay_resume()').catch(() => {}));
    expect(result.moreToDo).toBe(false);

    const wait = events.find((e) => e.type === 'replica-wait');
    expect(wait).toMatchObject({ type: 'replica-wait', replica: expect.stringMatching(/^127\.0\.0\.1:\d+\/on_replica$/), limitMs: 300 });
    expect((wait as { lagMs: number }).lagMs).toBeGreaterThan(300);
    const resumed = events.find((e) => e.type === 'replica-resumed') as { waitedMs: number } | undefined;
    expect(resumed?.waitedMs).toBeGreaterThanOrEqual(900);
    // No batch committed while the replica was behind: every one after the wait started once it caught up.
    const order = events.filter((e) => ['replica-wait', 'replica-resumed', 'work-progress'].includes(e.type)).map((e) => e.type);
    expect(order.indexOf('replica-resumed')).toBe(order.indexOf('replica-wait') + 1);
    expect(order.filter((t) => t === 'work-progress').length).toBeGreaterThan(1);
    expect(JSON.stringify(events)).not.toContain('s3cret-pw');

    await contract({ url }, accountsV2);
    await withConnection(postgresDialect.connect(url), async (conn) => expect(await wrongBalances(conn)).toBe(0));
    await replayed(pair);
    await withConnection(postgresDialect.connect(replicaUrl), async (conn) => expect(await wrongBalances(conn)).toBe(0));
  });

  it('without --replica, the CLI reads the lag from pg_stat_replication and prints the wait as JSON events', async () => {
    const { url } = await expandedOnPair(pair, 'from_primary');
    const files = releaseDir();
    try {
      const schema = files.write('v2.ts', `import { changeType, defineSchema } from 'dbtide';
const v1 = defineSchema({ release: 'v1', tables: { accounts: { columns: { id: 'bigint', balance: 'int' }, primaryKey: ['id'] } } });
export default defineSchema({ release: 'v2', extends: v1, tables: { accounts: { columns: { balance: 'bigint' } } }, transitions: [changeType('accounts', 'balance')] });
`);
      // The primary learns the replay position from the replica's replies, which follow the WAL it
      // receives: the application's writes keep them coming while the replica applies nothing.
      const writes = await writer(url);
      await replica.query('SELECT pg_wal_replay_pause()');
      await new Promise((resolve) => setTimeout(resolve, 600));
      // Replay resumes 800 ms after the run says it waits: however slowly the run got there.
      let resume: NodeJS.Timeout | undefined;
      const onStderr = (text: string) => {
        if (resume === undefined && text.includes('"type":"replica-wait"')) resume = setTimeout(() => void replica.query('SELECT pg_wal_replay_resume()'), 800);
      };
      const run = await runInProcess(['migrate', '--url', url, '--schema', schema, '--format', 'json', '--max-replica-lag', '200', '--batch-ms', '50'], {}, onStderr).finally(async () => {
        clearTimeout(resume);
        await writes.stop();
      });
      expect(run.stderr).toContain('"type":"progress"');
      expect(run.code).toBe(0);
      const events = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const wait = events.find((e) => e.type === 'replica-wait');
      expect(wait).toMatchObject({ replica: 'walreceiver (127.0.0.1)', limitMs: 200, reason: null });
      expect(wait!.lagMs as number).toBeGreaterThan(200);
      expect(events.find((e) => e.type === 'replica-resumed')?.waitedMs as number).toBeGreaterThan(500);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
      files.remove();
    }
  });

  it('a --replica URL that is the primary is refused before the phase changes anything', async () => {
    const { url } = await expandedOnPair(pair, 'not_replica');
    const runs = (await status({ url }, accountsV2)).runs.length;
    await expect(migrate({ url }, accountsV2, { replicaLag: { maxLagMs: 500, replicas: [url] } })).rejects.toThrow(/is not a replica/);
    expect((await status({ url }, accountsV2)).runs.length).toBe(runs);
  });
});

describe.skipIf(noPostgres)('replica lag settings refused on PostgreSQL and PGlite', () => {
  it('an unreachable replica fails the run before it changes anything, its password hidden', async () => {
    const scratch = await scratchPostgres('lag_unreachable');
    try {
      await seedAccounts(scratch.url, 100);
      await expand({ url: scratch.url }, accountsV2);
      const runs = (await status({ url: scratch.url }, accountsV2)).runs.length;
      const closed = `postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/postgres`;
      const error = await migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 500, replicas: [closed] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbtideError);
      expect((error as Error).message).toMatch(/^replica postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres cannot be connected to/);
      expect(`${(error as Error).message} ${(error as DbtideError).hint}`).not.toContain('s3cret-pw');
      expect((await status({ url: scratch.url }, accountsV2)).runs.length).toBe(runs);
      await withConnection(postgresDialect.connect(scratch.url), async (conn) => expect(await wrongBalances(conn)).toBe(0));
    } finally {
      await scratch.drop();
    }
  });

  it('with no replica connected, the run says so once and goes on', async () => {
    const scratch = await scratchPostgres('lag_none');
    try {
      await seedAccounts(scratch.url, 5_000);
      await expand({ url: scratch.url }, accountsV2);
      const events: RunEvent[] = [];
      await migrate({ url: scratch.url }, accountsV2, { onEvent: (e) => events.push(e), backfill: { initialBatch: 500, targetBatchMs: 1 }, replicaLag: { maxLagMs: 100, checkEveryMs: 1 } });
      const notices = events.filter((e) => e.type === 'notice' && /no replica is connected/.test(e.message));
      expect(notices).toHaveLength(1);
      expect(events.filter((e) => e.type === 'work-progress').length).toBeGreaterThan(1);
      expect(events.some((e) => e.type === 'replica-wait')).toBe(false);
    } finally {
      await scratch.drop();
    }
  });

  it('a replica URL of another kind, and a limit that is no whole number, are refused', async () => {
    const scratch = await scratchPostgres('lag_kind');
    try {
      await seedAccounts(scratch.url, 10);
      await expect(migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 500, replicas: ['mysql://root:pw@127.0.0.1:3306/x'] } })).rejects.toThrow(
        /replica mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/x is a mysql URL, but the database is PostgreSQL/,
      );
      await expect(migrate({ url: scratch.url }, accountsV2, { replicaLag: { maxLagMs: 0.5 } })).rejects.toThrow(/whole number of ms/);
    } finally {
      await scratch.drop();
    }
  });
});

describe('replica lag on PGlite', () => {
  it('is refused: an embedded database has no replicas', async () => {
    const scratch = await scratchPglite('lag_pglite');
    try {
      await expect(migrate({ url: scratch.url }, accountsV2, { dryRun: true, replicaLag: { maxLagMs: 500 } })).rejects.toThrow(/PGlite is an embedded database: it has no replicas/);
      const run = await runInProcess(['migrate', '--url', scratch.url, '--schema', 'x.ts', '--replica', 'postgres://127.0.0.1/x']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('--replica needs --max-replica-lag');
    } finally {
      await scratch.drop();
    }
  });
});
