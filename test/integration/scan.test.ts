import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges, scan, type Target } from '../../src/api.js';
import { introspectLive, withDatabase, type Database } from '../../src/engine.js';
import { DbtideError } from '../../src/errors.js';
import { PrecheckFailed } from '../../src/execute/outcomes.js';
import type { ScanFinding } from '../../src/scan/find-offenders.js';
import { SCAN_EXIT } from '../../src/scan/run-scan.js';
import { runCli } from '../support/cli.js';
import { SCAN_SCHEMA_FILE, v1, v2 } from '../support/scan-schemas.js';
import { targets, type ScratchDatabase, type ScratchTarget } from '../support/scratch-databases.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * zones 1-50 are clean; 51, 52 have no code; 53, 54 repeat z3 (zone 3 is kept).
 * hosts 1-100 are clean; 101-103 break the check (and carry vms 301-306); 104, 105 name a zone
 * that does not exist; 106-109 have no name.
 * vms 1-200 are clean; 301-306 belong to hosts 101-103; 401-403 name host 999.
 */
const LEGACY: { table: string; columns: string[]; rows: unknown[][] }[] = [
  {
    table: 'zones',
    columns: ['id', 'code'],
    rows: [...range(1, 50).map((g) => [g, `z${g}`]), [51, null], [52, null], [53, 'z3'], [54, 'z3']],
  },
  {
    table: 'hosts',
    columns: ['id', 'zone_code', 'name', 'cpus'],
    rows: [
      ...range(1, 100).map((g) => [g, `z${(g % 50) + 1}`, `h${g}`, 4]),
      [101, 'z1', 'a', 0], [102, 'z1', 'b', 0], [103, 'z2', 'c', -1], [104, 'nowhere', 'd', 2], [105, 'nowhere', 'e', 2],
      [106, 'z1', null, 2], [107, 'z1', null, 2], [108, 'z2', null, 2], [109, 'z2', null, 2],
    ],
  },
  {
    table: 'vms',
    columns: ['id', 'host_id', 'label'],
    rows: [
      ...range(1, 200).map((g) => [g, (g % 100) + 1, `vm${g}`]),
      ...[301, 302, 303, 304, 305, 306].map((id, i) => [id, 101 + Math.floor(i / 2), 'x']),
      [401, 999, 'lost'], [402, 999, 'lost'], [403, 999, 'lost'],
    ],
  },
];
const ORIGINAL = { zones: 54, hosts: 109, vms: 209 };

/** The rows each rule finds, and which keys it names first. */
const EXPECTED: Record<string, { count: number; keys: number[] }> = {
  'zones.code has no NULL': { count: 2, keys: [51, 52] },
  '(code) in zones has no duplicates': { count: 2, keys: [53, 54] },
  'hosts.name has no NULL': { count: 4, keys: [106, 107, 108, 109] },
  'every hosts row satisfies cpus > 0': { count: 3, keys: [101, 102, 103] },
  'every hosts (zone_code) has its row in zones': { count: 2, keys: [104, 105] },
  'every vms (host_id) has its row in hosts': { count: 3, keys: [401, 402, 403] },
};

const summary = (findings: ScanFinding[]) =>
  Object.fromEntries(findings.map((f) => [f.description, { count: f.count, keys: f.keys.map((k) => Number(k.id)) }]));

/** Rows written through the dialect's own quoting and placeholders. */
async function insert(db: Database, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const { quote } = db.dialect.compiler;
  let n = 0;
  const values = rows.map((row) => `(${row.map(() => db.dialect.runtime.param(++n)).join(', ')})`).join(', ');
  await db.conn.query(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${values}`, rows.flat());
}

/** Registers a fresh legacy database per test (v1 with the LEGACY rows, v2 expanded and migrated). */
function legacyDatabase(target: ScratchTarget) {
  let scratch: ScratchDatabase;
  const db = {
    t: { url: '' } as Target,
    with: <T>(work: (db: Database) => Promise<T>) => withDatabase(db.t.url, {}, work),
    ids: (table: string) =>
      db.with(async (d) => (await d.conn.query<{ id: unknown }>(`SELECT id FROM ${d.dialect.compiler.quote(table)} ORDER BY id`)).map((r) => Number(r.id))),
    count: (table: string) =>
      db.with(async (d) => Number((await d.conn.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${d.dialect.compiler.quote(table)}`))[0]!.n)),
    /** The columns of a table (shadow tables included, which introspection leaves out); none when it does not exist. */
    columns: (table: string) =>
      db.with(async (d) => (await d.conn.query<{ column_name: string }>(d.dialect.scan.shadowColumns(table))).map((r) => r.column_name)),
  };

  beforeEach(async () => {
    scratch = await target.create('scan');
    db.t = { url: scratch.url };
    for (const phase of [expand, migrate, contract]) await phase(db.t, v1);
    await db.with(async (d) => {
      for (const { table, columns, rows } of LEGACY) await insert(d, table, columns, rows);
    });
    await expand(db.t, v2);
    await migrate(db.t, v2);
  }, 60_000);

  afterEach(async () => {
    await scratch.drop();
  });
  return db;
}

describe.each(targets)('scan and repair on $name', (target) => {
  const db = legacyDatabase(target);
  const { ids, count } = db;
  const withDb = db.with;
  const snapshot = async () => ({
    zones: await ids('zones'),
    hosts: await ids('hosts'),
    vms: await ids('vms'),
    schema: await withDb(introspectLive),
  });

  it('contract refuses with per-table counts and sample keys, and changes nothing', async () => {
    const before = await snapshot();
    const refusal = await contract(db.t, v2, { confirm: async () => {} }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DbtideError);
    const { message, hint } = refusal as DbtideError;
    expect(message).toContain('prechecks failed; nothing was changed');
    expect(message).toContain('  zones:\n    2 row(s) break "zones.code has no NULL", e.g. id=51, id=52\n    2 row(s) break "(code) in zones has no duplicates", e.g. id=53, id=54');
    expect(message).toContain('3 row(s) break "every hosts row satisfies cpus > 0", e.g. id=101, id=102, id=103');
    expect(message).toContain('2 row(s) break "every hosts (zone_code) has its row in zones", e.g. id=104, id=105');
    expect(message).toContain('4 row(s) break "hosts.name has no NULL", e.g. id=106, id=107, id=108, id=109');
    expect(message).toContain('  vms:\n    3 row(s) break "every vms (host_id) has its row in hosts", e.g. id=401, id=402, id=403');
    // The library names its own calls; the CLI's hint names `dbtide scan --fix archive` (src/cli/hints.ts).
    expect(hint).toContain("scan's fix 'archive' moves them");
    expect(refusal).toBeInstanceOf(PrecheckFailed);
    expect((refusal as PrecheckFailed).failures.map((f) => [f.table, f.count])).toEqual([['hosts', 4], ['zones', 2], ['zones', 2], ['hosts', 3], ['hosts', 2], ['vms', 3]]);
    expect(await snapshot()).toEqual(before);
  });

  it('--fix archive moves exactly the offenders and their dependents, loses nothing, and contract then succeeds', async () => {
    const report = await scan(db.t, v2, { fix: 'archive' });
    expect(summary(report.findings)).toEqual(EXPECTED);
    expect(report.remaining.every((f) => f.count === 0)).toBe(true);
    expect(report.exitCode).toBe(SCAN_EXIT.clean);

    const shadowIds = (table: string) => ids(`shadow_${table}`);
    expect(await shadowIds('zones')).toEqual([51, 52, 53, 54]);
    // Hosts 101-103 broke the check; their vms 301-306 would have been orphaned, so they went along.
    expect(await shadowIds('hosts')).toEqual([...range(101, 105), ...range(106, 109)]);
    expect(await shadowIds('vms')).toEqual([...range(301, 306), 401, 402, 403]);
    for (const [table, original] of Object.entries(ORIGINAL)) {
      expect((await count(table)) + (await count(`shadow_${table}`))).toBe(original);
    }
    // Zone 3 kept its first row: vms and hosts on it are untouched.
    expect(await withDb(async (db) => db.conn.query(`SELECT id, code FROM zones WHERE code = 'z3'`))).toEqual([{ id: 3, code: 'z3' }]);
    const reasons = await withDb(async (db) =>
      db.conn.query<{ id: number; dbtide_reason: string; archived: unknown }>(
        `SELECT id, dbtide_reason, CASE WHEN dbtide_archived_at IS NULL THEN 'no' ELSE 'yes' END AS archived FROM shadow_vms WHERE id IN (301, 401) ORDER BY id`,
      ),
    );
    expect(reasons).toEqual([
      { id: 301, dbtide_reason: 'depends on a hosts row that breaks "every hosts row satisfies cpus > 0"', archived: 'yes' },
      { id: 401, dbtide_reason: 'breaks "every vms (host_id) has its row in hosts"', archived: 'yes' },
    ]);

    await contract(db.t, v2, { confirm: async () => {} });
    const after = await planChanges(db.t, v2);
    expect(after.plan.steps).toEqual([]);
    // Shadow tables are dbtide's own: not drift, not in the plan.
    expect(after.plan.drift).toEqual([]);
  });
});

/** The other repairs run the same dialect SQL on PGlite as on PostgreSQL: on the servers only, to keep the suite fast. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('scan details on $name', (target) => {
  const db = legacyDatabase(target);
  const { count, columns } = db;
  const withDb = db.with;

  it('scan lists every offender by rule with exit 5, in ranges as small as one row', async () => {
    for (const batchRows of [1, 7, 50_000]) {
      const report = await scan(db.t, v2, { batchRows });
      expect(summary(report.findings)).toEqual(EXPECTED);
      expect(report.offending).toBe(16);
      expect(report.exitCode).toBe(SCAN_EXIT.offenders);
    }
    const hosts = await scan(db.t, v2, { table: 'hosts', limit: 2 });
    expect(hosts.findings.map((f) => [f.description, f.count, f.keys.length])).toEqual([
      ['hosts.name has no NULL', 4, 2],
      ['every hosts row satisfies cpus > 0', 3, 2],
      ['every hosts (zone_code) has its row in zones', 2, 2],
    ]);
    await expect(scan(db.t, v2, { table: 'nope' })).rejects.toThrow('no table nope in the declaration or the database');
  });

  it('--fix set-default fills declared defaults and skips what it cannot repair', async () => {
    const report = await scan(db.t, v2, { table: 'hosts', fix: 'set-default' });
    expect(report.repairs.map((r) => [r.description, r.rows, r.skipped ?? null])).toEqual([
      ['hosts.name has no NULL', { hosts: 4 }, null],
      ['every hosts row satisfies cpus > 0', {}, '--fix set-default repairs NULLs only; "every hosts row satisfies cpus > 0" needs --fix archive or delete'],
      ['every hosts (zone_code) has its row in zones', {}, '--fix set-default repairs NULLs only; "every hosts (zone_code) has its row in zones" needs --fix archive or delete'],
    ]);
    expect(report.remaining.map((f) => f.count)).toEqual([0, 3, 2]);
    expect(report.exitCode).toBe(SCAN_EXIT.offenders);
    expect(await withDb(async (db) => db.conn.query(`SELECT id, name FROM hosts WHERE id BETWEEN 106 AND 109 ORDER BY id`))).toEqual(
      range(106, 109).map((id) => ({ id, name: 'unnamed' })),
    );
    const zones = await scan(db.t, v2, { table: 'zones', fix: 'set-default' });
    expect(zones.repairs[0]!.skipped).toBe('zones.code has no declared default; declare one, or use --fix archive');
  });

  it('the CLI: exit 5 with offenders, --fix delete refused without --yes (nothing changed), JSON for machines', async () => {
    const args = ['--url', db.t.url, '--schema', SCAN_SCHEMA_FILE];
    const listed = await runCli(['scan', ...args, '--table', 'vms']);
    expect([listed.code, listed.stdout]).toEqual([SCAN_EXIT.offenders, expect.stringContaining('FAIL  every vms (host_id) has its row in hosts: 3 row(s)\n        id=401, id=402, id=403\n')]);
    const refused = await runCli(['scan', ...args, '--fix', 'delete']);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('take a backup first, then run again with --yes')]);
    expect(await count('vms')).toBe(ORIGINAL.vms);
    const json = await runCli(['scan', ...args, '--table', 'vms', '--fix', 'delete', '--yes', '--format', 'json']);
    expect(json.code).toBe(SCAN_EXIT.clean);
    expect(JSON.parse(json.stdout)).toMatchObject({ release: 'v2', offending: 0, repairs: [{ table: 'vms', mode: 'delete', rows: { vms: 3 } }] });
    const bad = await runCli(['scan', ...args, '--fix', 'shred']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining("argument 'shred' is invalid")]);
  });

  it('--fix delete removes the offenders and their dependents; a rerun finds nothing', async () => {
    const report = await scan(db.t, v2, { fix: 'delete' });
    const removed = report.repairs.reduce<Record<string, number>>((sum, r) => {
      for (const [table, n] of Object.entries(r.rows)) sum[table] = (sum[table] ?? 0) + n;
      return sum;
    }, {});
    expect(removed).toEqual({ zones: 4, hosts: 9, vms: 9 });
    expect(await count('hosts')).toBe(100);
    expect(await columns('shadow_hosts')).toEqual([]);
    expect((await scan(db.t, v2)).exitCode).toBe(SCAN_EXIT.clean);
  });

  it('an archive adds columns the table gained to its shadow table, and refuses a foreign table of that name', async () => {
    await withDb(async (db) => db.conn.query(`CREATE TABLE shadow_zones (id int)`));
    await expect(scan(db.t, v2, { table: 'zones', fix: 'archive' })).rejects.toThrow("a table shadow_zones exists and is not dbtide's shadow of zones; nothing was changed");
    expect(await count('zones')).toBe(ORIGINAL.zones);
    await withDb(async (db) => db.conn.query(`DROP TABLE shadow_zones`));

    await scan(db.t, v2, { table: 'zones', fix: 'archive' });
    await withDb(async (db) => {
      await db.conn.query(`ALTER TABLE zones ADD COLUMN region text`);
      await insert(db, 'zones', ['id', 'code', 'region'], [[55, null, 'eu']]);
    });
    await scan(db.t, v2, { table: 'zones', fix: 'archive' });
    expect(await withDb(async (db) => db.conn.query(`SELECT id, region FROM shadow_zones WHERE id = 55`))).toEqual([{ id: 55, region: 'eu' }]);
    expect(await columns('shadow_zones')).toEqual(['id', 'code', 'dbtide_archived_at', 'dbtide_reason', 'region']);
  });

  it('a chunk that fails rolls back whole: the dependents it moved first stay where they were', async () => {
    // vm 307 depends on host 106 (no name): the first chunk moves it, then copies hosts to a shadow
    // table that gains columns (DDL, which MySQL would commit mid-chunk) and refuses every row.
    await withDb(async (db) => {
      await insert(db, 'vms', ['id', 'host_id', 'label'], [[307, 106, 'x']]);
      const timestamp = db.dialect.compiler.columnType({ kind: 'timestamp', withTimeZone: true });
      await db.conn.query(`CREATE TABLE shadow_hosts (id int, dbtide_archived_at ${timestamp} NULL, dbtide_reason text, CONSTRAINT refuse_all CHECK (id < 0))`);
      for (const sql of db.dialect.scan.markShadow('shadow_hosts', 'hosts')) await db.conn.query(sql);
    });
    await expect(scan(db.t, v2, { table: 'hosts', fix: 'archive' })).rejects.toThrow(/refuse_all/);
    expect([await count('hosts'), await count('vms')]).toEqual([ORIGINAL.hosts, ORIGINAL.vms + 1]);
    const archived = async (table: string) => ((await columns(`shadow_${table}`)).length > 0 ? count(`shadow_${table}`) : 0);
    expect([await archived('hosts'), await archived('vms')]).toEqual([0, 0]);
  });
});
