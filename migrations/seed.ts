/**
 * `npm run seed -- --url URL [--rows N] [--legacy] [--format json]`
 *
 * Brings an empty database to release 003-kilo through the example chain (001..003, each with
 * expand, migrate and contract) and fills it with deterministic example data: the same options
 * give the same rows on every run. With `--legacy` it also plants what years of upgrades leave
 * behind (README.md, "Walkthrough: the instance UUID upgrade"): the rows that
 * 004-liberty's contract prechecks have to find before instances.uuid can become a key.
 *
 * Seeding is all or nothing (one transaction), and a database that already holds rows is
 * refused rather than topped up: a second run would plant a second set of anomalies on top of the
 * first, and the report would no longer describe the database.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizeSchema } from '../src/declaration/normalize.js';
import { introspectLive, openDatabase, planAgainst, type Database } from '../src/engine.js';
import { pendingPhases, runPhase } from '../src/execute/run-phase.js';
import { PHASES } from '../src/plan/step.js';
import { DbtideError } from '../src/errors.js';
import { redactText, redactUrl } from '../src/redact.js';
import icehouse from './001-icehouse.js';
import juno from './002-juno.js';
import kilo from './003-kilo.js';

export interface SeedOptions {
  /** Instances to create (default 1000); child tables and fixed_ips scale with it. */
  rows?: number;
  /** Plant NULL and duplicate instance uuids, and children with NULL or dangling instance_uuid. */
  legacy?: boolean;
  /** PostgreSQL schema (default `public`) or MySQL database (default: the URL's) holding the tables. */
  databaseSchema?: string;
  onProgress?: (message: string) => void;
}

export interface SeedReport {
  release: '003-kilo';
  rows: { instances: number; children: Record<string, number>; fixedIps: number };
  planted: {
    nullInstanceUuids: number;
    /** Rows beyond the first per uuid. */
    duplicateInstanceUuids: number;
    nullChildUuids: Record<string, number>;
    orphanedChildren: Record<string, number>;
    /** Unallocated addresses: NULL by design, not an anomaly. */
    fixedIpsWithoutInstance: number;
  };
  ms: number;
}

const RELEASE = '003-kilo';
const CHAIN = [icehouse, juno, kilo];
const DEFAULT_ROWS = 1000;
/** PostgreSQL's wire protocol numbers parameters with 16 bits. */
const MAX_PARAMS = 65_535;
/** Past a few thousand rows a longer statement saves no round trip worth having. */
const MAX_BATCH_ROWS = 5000;

type Rng = () => number;
type RowValues = (n: number, rng: Rng) => unknown[];

/** Columns besides instance_uuid, and their values for the n-th row of the table. */
const CHILDREN: Record<string, { columns: string[]; values: RowValues }> = {
  block_device_mapping: {
    columns: ['device_name', 'source_type', 'volume_size', 'delete_on_termination'],
    values: (n, rng) => [`/dev/vd${'abcd'[n % 4]}`, pick(rng, ['image', 'volume', 'blank']), 1 + Math.floor(rng() * 100), rng() < 0.8],
  },
  consoles: { columns: ['console_type', 'port'], values: (n) => ['novnc', 5900 + (n % 100)] },
  instance_actions: {
    columns: ['action', 'request_id', 'start_time'],
    values: (n, rng) => [pick(rng, ['create', 'reboot', 'resize', 'stop', 'start']), `req-${uuidOf(n)}`, timestampOf(n)],
  },
  instance_extra: { columns: ['pci_requests', 'flavor'], values: (_, rng) => ['[]', `{"name": "${pick(rng, FLAVORS).name}"}`] },
  instance_faults: {
    columns: ['code', 'message'],
    values: (_, rng) => pick(rng, [[500, 'NoValidHost'], [500, 'BuildAbortException'], [409, 'InstanceInvalidState'], [404, 'ImageNotFound']]),
  },
  instance_info_caches: { columns: ['network_info'], values: () => ['[]'] },
  instance_metadata: { columns: ['key', 'value'], values: (_, rng) => ['role', pick(rng, ['web', 'db', 'cache', 'batch'])] },
  instance_system_metadata: { columns: ['key', 'value'], values: (_, rng) => ['image_os_type', pick(rng, ['linux', 'linux', 'windows'])] },
  migrations: {
    columns: ['source_compute', 'dest_compute', 'status'],
    values: (_, rng) => [hostOf(rng), hostOf(rng), pick(rng, ['finished', 'finished', 'error', 'migrating'])],
  },
  security_group_instance_association: { columns: ['security_group_id'], values: (_, rng) => [1 + Math.floor(rng() * 20)] },
  virtual_interfaces: { columns: ['address', 'network_id'], values: (n, rng) => [macOf(n), 1 + Math.floor(rng() * 10)] },
};
const CHILD_TABLES = Object.keys(CHILDREN);
/** NULL instance_uuid goes into every other child table; orphans into all of them. */
const NULL_CHILD_TABLES = CHILD_TABLES.filter((_, i) => i % 2 === 0);

const FLAVORS = [
  { name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1 },
  { name: 'm1.small', memory_mb: 2048, vcpus: 1, root_gb: 20 },
  { name: 'm1.medium', memory_mb: 4096, vcpus: 2, root_gb: 40 },
  { name: 'm1.large', memory_mb: 8192, vcpus: 4, root_gb: 80 },
];

export async function seedExample(url: string, options: SeedOptions = {}): Promise<SeedReport> {
  const started = performance.now();
  const rows = options.rows ?? DEFAULT_ROWS;
  if (!Number.isSafeInteger(rows) || rows <= 0) throw new DbtideError(`rows must be a positive integer, got ${rows}`, 1);
  const say = options.onProgress ?? (() => {});

  // One connection for the whole seed: an embedded database pays its start-up once.
  const db = await openDatabase(url, options.databaseSchema ? { schema: options.databaseSchema } : {});
  try {
    await bringToKilo(db, say);
    await refuseWhenHoldingRows(db);
    const report = await db.conn.transaction(() => insertExample(db, rows, options.legacy ?? false, say));
    return { ...report, ms: Math.round(performance.now() - started) };
  } finally {
    await db.close();
  }
}

/** Applies the chain to an empty database; anything else must already be exactly at 003-kilo. */
async function bringToKilo(db: Database, say: (message: string) => void): Promise<void> {
  const live = await introspectLive(db);
  if (Object.keys(live.tables).length === 0) {
    for (const release of CHAIN) {
      say(`applying ${release.release}`);
      // Each phase fails unless it converged, so no check is needed afterwards. Its only drops are
      // 003-kilo's tombstones of columns the chain itself created moments ago.
      for (const phase of PHASES) await runPhase(db, { phase, declared: normalizeSchema(release) });
    }
    return;
  }
  const next = pendingPhases((await planAgainst(db, normalizeSchema(kilo))).plan)[0];
  if (next !== undefined) {
    throw new DbtideError(
      `the database is not at release ${RELEASE} (next: ${next}); the seeder changes nothing in a database that holds another schema`,
      1,
      `seed an empty database, or bring this one to ${RELEASE} first (npx dbtide plan --schema migrations/003-kilo.ts shows what is missing)`,
    );
  }
}

async function refuseWhenHoldingRows(db: Database): Promise<void> {
  const held: string[] = [];
  for (const table of ['instances', ...CHILD_TABLES, 'fixed_ips']) {
    if ((await db.conn.query(`SELECT 1 AS found FROM ${db.dialect.compiler.quote(table)} LIMIT 1`)).length > 0) held.push(table);
  }
  if (held.length > 0) {
    throw new DbtideError(
      `the database is at release ${RELEASE} but already holds rows (in ${held.slice(0, 3).join(', ')}${held.length > 3 ? ` and ${held.length - 3} more tables` : ''}); the seeder fills empty tables only, so that its report describes the database`,
      1,
      'seed an empty database',
    );
  }
}

/**
 * Instances 1..rows are healthy. With legacy, k = max(1, floor(rows / 100)) more follow with a
 * NULL uuid, then k that share the uuid of a healthy one. Children point at healthy instances
 * (a duplicated uuid among them is fine: its first holder is healthy); an orphan points at the
 * uuid an instance numbered past every row would have.
 */
async function insertExample(db: Database, rows: number, legacy: boolean, say: (message: string) => void): Promise<Omit<SeedReport, 'ms'>> {
  const k = legacy ? Math.max(1, Math.floor(rows / 100)) : 0;
  const insert = async (table: string, columns: string[], count: number, row: (n: number, rng: Rng) => unknown[]) => {
    await insertRows(db, table, columns, count, row);
    say(`${table}: ${count} rows`);
    return count;
  };

  const duplicateOf = (j: number) => 1 + Math.floor((j * rows) / k);
  const instance = (n: number, rng: Rng, uuid: string | null) => {
    const flavor = pick(rng, FLAVORS);
    return [uuid, `vm-${n}`, hostOf(rng), pick(rng, ['active', 'active', 'active', 'stopped', 'error']), flavor.memory_mb, flavor.vcpus, flavor.root_gb, timestampOf(n)];
  };
  const instances = await insert(
    'instances',
    ['uuid', 'hostname', 'host', 'vm_state', 'memory_mb', 'vcpus', 'root_gb', 'launched_at'],
    rows + 2 * k,
    (n, rng) => {
      if (n <= rows) return instance(n, rng, uuidOf(n));
      if (n <= rows + k) return instance(n, rng, null);
      return instance(n, rng, uuidOf(duplicateOf(n - rows - k - 1)));
    },
  );

  const children: Record<string, number> = {};
  const nullChildUuids: Record<string, number> = {};
  const orphanedChildren: Record<string, number> = {};
  const healthy = Math.max(3, Math.floor(rows / 4));
  for (const table of CHILD_TABLES) {
    const { columns, values } = CHILDREN[table]!;
    const nulls = NULL_CHILD_TABLES.includes(table) ? k : 0;
    children[table] = await insert(table, ['instance_uuid', ...columns], healthy + nulls + k, (n, rng) => {
      if (n <= healthy) return [uuidOf(1 + Math.floor(rng() * rows)), ...values(n, rng)];
      if (n <= healthy + nulls) return [null, ...values(n, rng)];
      return [uuidOf(rows + 2 * k + n - healthy - nulls), ...values(n, rng)];
    });
    nullChildUuids[table] = nulls;
    orphanedChildren[table] = k;
  }

  // Every other address is unallocated, its instance_uuid NULL by design.
  const fixedIps = await insert('fixed_ips', ['address', 'instance_uuid', 'allocated', 'leased'], Math.max(2, Math.floor(rows / 2)), (n, rng) => {
    const allocated = n % 2 === 1;
    return [addressOf(n), allocated ? uuidOf(1 + Math.floor(rng() * rows)) : null, allocated, allocated && rng() < 0.5];
  });

  return {
    release: RELEASE,
    rows: { instances, children, fixedIps },
    planted: {
      nullInstanceUuids: k,
      duplicateInstanceUuids: k,
      nullChildUuids,
      orphanedChildren,
      fixedIpsWithoutInstance: Math.floor(fixedIps / 2),
    },
  };
}

/** Rows 1..count of `table` in multi-row INSERTs, each table with a PRNG seeded by its name. */
async function insertRows(db: Database, table: string, columns: string[], count: number, row: (n: number, rng: Rng) => unknown[]): Promise<void> {
  const quote = (name: string) => db.dialect.compiler.quote(name);
  const param = (index: number) => db.dialect.runtime.param(index);
  const rng = prng([...table].reduce((h, c) => mix32(h + c.charCodeAt(0)), 0));
  const perBatch = Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / columns.length));
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES `;
  for (let first = 1; first <= count; first += perBatch) {
    const size = Math.min(perBatch, count - first + 1);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let n = first; n < first + size; n++) {
      const values = row(n, rng);
      tuples.push(`(${values.map((_, i) => param(params.length + i + 1)).join(', ')})`);
      params.push(...values);
    }
    await db.conn.query(head + tuples.join(', '), params);
  }
}

/** uuid-shaped, unique through its last group (n itself), scattered through its first like real uuids. */
function uuidOf(n: number): string {
  return `${hex(mix32(n), 8)}-0000-4000-8000-${hex(n, 12)}`;
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** A bijective 32-bit integer hash (lowbias32). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: the same seed gives the same sequence on every run and platform. */
function prng(seed: number): Rng {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(rng: Rng, choices: readonly T[]): T => choices[Math.floor(rng() * choices.length)]!;
const hostOf = (rng: Rng) => `compute-${hex(Math.floor(rng() * 64), 2)}`;
/** IPv6 (unique local) rather than IPv4, so that any row count has unique addresses. */
const addressOf = (n: number) => `fd00::${hex(Math.floor(n / 65_536), 1)}:${hex(n % 65_536, 1)}`;
const macOf = (n: number) => `fa:16:3e:${hex(n, 6).slice(-6).match(/../g)!.join(':')}`;

/** Launch times one minute apart from Kilo's release day, as a zone-free literal. */
const KILO_DAY = Date.UTC(2015, 3, 30);
const timestampOf = (n: number) => new Date(KILO_DAY + n * 60_000).toISOString().slice(0, 19).replace('T', ' ');

const USAGE = `Usage: npm run seed -- --url URL [--rows N] [--legacy] [--format text|json] [--database-schema NAME]

Brings an empty database to release ${RELEASE} (migrations/001..003) and fills it with
deterministic example data. A database already at ${RELEASE} is accepted while its tables are empty.

  --url URL                postgres://..., mysql://... or pglite:<directory> (default: $DATABASE_URL)
  --rows N                 instances to create (default ${DEFAULT_ROWS}); child tables get about N/4 each
  --legacy                 also plant NULL and duplicate instance uuids, and child rows with NULL
                           or dangling instance_uuid (max(1, floor(N/100)) of each)
  --format text|json       the report as a summary (default) or as JSON on stdout
  --database-schema NAME   PostgreSQL schema (default public) or MySQL database holding the tables
  --help                   this text
`;

function formatReport(report: SeedReport, url: string): string {
  const { rows, planted } = report;
  const lines = [
    `seeded ${redactUrl(url)} at release ${report.release} in ${(report.ms / 1000).toFixed(1)} s`,
    `  instances  ${rows.instances} rows (planted: ${planted.nullInstanceUuids} with NULL uuid, ${planted.duplicateInstanceUuids} duplicate uuids)`,
  ];
  for (const table of CHILD_TABLES) {
    lines.push(`  ${table}  ${rows.children[table]} rows (planted: ${planted.nullChildUuids[table]} NULL instance_uuid, ${planted.orphanedChildren[table]} orphaned)`);
  }
  lines.push(`  fixed_ips  ${rows.fixedIps} rows (${planted.fixedIpsWithoutInstance} unallocated, NULL instance_uuid by design)`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rows: { type: 'string', default: String(DEFAULT_ROWS) },
      legacy: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      'database-schema': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const usage = 'npm run seed -- --help';
  if (!/^\d+$/.test(values.rows) || Number(values.rows) === 0) throw new DbtideError(`--rows needs a positive integer, got "${values.rows}"`, 1, usage);
  if (values.format !== 'text' && values.format !== 'json') throw new DbtideError(`--format is text or json, got "${values.format}"`, 1, usage);
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) throw new DbtideError('no database: pass --url postgres://..., --url mysql://... or --url pglite:<directory>', 1, usage);

  const report = await seedExample(url, {
    rows: Number(values.rows),
    legacy: values.legacy,
    ...(values['database-schema'] ? { databaseSchema: values['database-schema'] } : {}),
    onProgress: (message) => process.stderr.write(`seed: ${message}\n`),
  });
  process.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, url));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`error: ${redactText(error instanceof Error ? error.message : String(error))}\n`);
    if (error instanceof DbtideError && error.hint) process.stderr.write(`hint: ${redactText(error.hint)}\n`);
    process.exitCode = 1;
  });
}

/** `dbtide verify-chain --from 003-kilo --seed` calls this on the freshly installed 003-kilo. */
export const verifyChainSeed = (url: string) => seedExample(url, { rows: 500 });
