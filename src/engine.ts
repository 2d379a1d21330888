import { createHash } from 'node:crypto';
import type { Cluster } from './model/cluster.js';
import { clusterLock, clusterWarnings } from './plan/cluster-rules.js';
import type { Capabilities, Connection, Dialect, ReorgState } from './dialect.js';
import { dialectFor } from '../dialects/registry.js';
import { DbtideError, RunLockHeld } from './errors.js';
import { redactSecrets, redactUrl } from './redact.js';
import { tryParseConnectionUrl } from './connection-url.js';
import type { Change } from './diff/changes.js';
import { diff } from './diff/diff.js';
import { copies, copyCandidates, SINGLE_SERVER, throughCopies, TOTAL_ORDER_CLUSTER, type CopyCluster } from './diff/not-null-copies.js';
import { builtOnSwappedColumns, missingTransitionSources } from './diff/transition-sources.js';
import type { DeclaredSchema, SchemaModel } from './model/schema-model.js';
import { Ledger } from './execute/ledger.js';
import { noOwnedObjects } from './model/transition.js';
import { refuseOperatorClasses } from './plan/operator-classes.js';
import { refuseIndexOptions } from './plan/index-options.js';
import { refuseReplicaIdentity } from './plan/replica-identity.js';
import { refuseOverlongComments } from './plan/comment-limits.js';
import { refuseRemovedObjectsInUse, refuseSchemaObjects } from './plan/schema-objects.js';
import { refuseConstraintFeatures } from './plan/constraint-features.js';
import { probeExclusions, refusedExclusionsError } from './plan/probe-exclusions.js';
import { uniqueIndexesAsKeys } from './model/unique-keys.js';
import { declaredExpressions } from './plan/declared-expressions.js';
import { schemaWideNameClashes } from './plan/name-scopes.js';
import { foreignKeyProblems } from './plan/foreign-key-rules.js';
import { keptNameProblems, objectRenameProblems } from './plan/object-renames.js';
import { versionSchemaChanges } from './diff/version-schemas.js';
import { readVersionSchemas } from './execute/version-schemas.js';
import { plan as buildPlan } from './plan/planner.js';
import { probeExpressions, refusedExpressionsError } from './plan/probe-expressions.js';
import type { Plan, VersionSelected } from './plan/step.js';
import type { LiveVersionSchema } from './model/version-schema.js';
import { refuseServerLimits } from './plan/server-limits.js';
import { refuseBlockedTableRenames } from './plan/table-renames.js';

/** An open database: the connection plus what dbtide knows about its server. */
export interface Database {
  url: string;
  /** What events and errors call it: by default the URL's host, port and database, never its password. */
  name: string;
  dialect: Dialect;
  conn: Connection;
  version: string;
  caps: Capabilities;
  /** The cluster the server is a node of, or null. */
  cluster: Cluster | null;
  /** PostgreSQL schema or MySQL database that holds the tables. */
  schema: string | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The database's `name`, in place of the default. */
  name?: string;
  /** How long to wait for an embedded database another process has open. */
  lockWaitMs?: number;
  schema?: string;
  /** Where `schema` came from (`--database-schema`, the config file), quoted when it does not exist. */
  schemaSource?: string;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const dialect = await dialectFor(url);
  const name = options.name ?? nameOf(url);
  let conn: Connection;
  try {
    conn = await dialect.connect(url, { lockWaitMs: options.lockWaitMs ?? 30_000 });
  } catch (error) {
    // The drivers' own errors already say what to do, without the password.
    if (error instanceof DbtideError) throw error;
    const message = redactSecrets(error instanceof Error ? error.message : String(error), url);
    if ((error as { code?: unknown }).code === 'DBTIDE_LOCKED') throw new RunLockHeld(message, name);
    throw new DbtideError(message, 1, `check the URL (${redactUrl(url)}), that the server is running, and the credentials`);
  }
  try {
    const version = await dialect.serverVersion(conn);
    const caps = dialect.capabilities(version);
    const cluster = (await dialect.cluster?.(conn)) ?? null;
    if (options.schema) {
      await refuseMissingSchema(dialect, conn, options.schema, `${caps.server} at ${redactUrl(url)}`, options.schemaSource);
      for (const sql of dialect.runtime.useSchema(options.schema)) await conn.query(sql);
    } else {
      await refuseNoSchema(dialect, conn, `${caps.server} at ${redactUrl(url)}`);
    }
    return { url, name, dialect, conn, version, caps, cluster, schema: options.schema, close: () => conn.close() };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

/** `host:port/database` as the URL spells them; a URL of another shape (`pglite:dir`) as it is, redacted. */
function nameOf(url: string): string {
  const parsed = tryParseConnectionUrl(url);
  const name = parsed ? `${parsed.raw.hostPort}${parsed.raw.path}` : '';
  return name === '' ? redactUrl(url) : name;
}

/** Without this, PostgreSQL plans every table as new and MySQL fails with the server's bare "Unknown database". */
async function refuseMissingSchema(dialect: Dialect, conn: Connection, schema: string, server: string, source: string | undefined): Promise<void> {
  if (await dialect.runtime.schemaExists(conn, schema)) return;
  const { schemaNoun } = dialect.runtime;
  throw new DbtideError(
    `${schemaNoun} "${schema}" does not exist on ${server}${source ? ` (from ${source})` : ''}`,
    1,
    `create it first (CREATE ${schemaNoun.toUpperCase()} ${dialect.compiler.quote(schema)}), or fix the name${source ? ` in ${source}` : ''}`,
  );
}

/** Without this, MySQL's ledger and plan fail with the server's bare "No database selected". */
async function refuseNoSchema(dialect: Dialect, conn: Connection, server: string): Promise<void> {
  if ((await dialect.runtime.currentSchema(conn)) !== null) return;
  const { schemaNoun, noCurrentSchema } = dialect.runtime;
  throw new DbtideError(`no ${schemaNoun} to work in on ${server}: ${noCurrentSchema.problem}`, 1, noCurrentSchema.fix);
}

export interface PlanResult {
  plan: Plan;
  live: SchemaModel;
}

/** Opens the database for `work` and closes it afterwards, whatever happens. */
export async function withDatabase<T>(url: string, options: OpenOptions, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(url, options);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** The live schema of the database's schema (PostgreSQL) or database (MySQL). */
export const introspectLive = (db: Database) => db.dialect.introspect(db.conn, db.schema ? { schema: db.schema } : {});

/** Introspect, diff, plan: the read-only half of every command. */
export async function planAgainst(db: Database, declared: DeclaredSchema): Promise<PlanResult> {
  const options = db.schema ? { schema: db.schema } : {};
  const introspected = await introspectLive(db);
  const ledger = new Ledger(db.conn, db.dialect);
  const finishedJobs = await ledger.finishedJobs();
  const ranSqlSteps = await ledger.ranSqlSteps();
  const live: SchemaModel = { ...introspected, owned: { ...(introspected.owned ?? noOwnedObjects()), finishedJobs, ranSqlSteps } };
  const base = db.schema ?? (await db.dialect.runtime.currentSchema(db.conn));
  const versions = base === null ? [] : await readVersionSchemas(db.conn, db.dialect, base);
  const copyCluster = db.cluster?.ddl === 'total-order' ? TOTAL_ORDER_CLUSTER : SINGLE_SERVER;
  const copyRows = copies(db.caps) ? await db.dialect.estimateRows(db.conn, copyCandidates(declared, live, db.caps, copyCluster), options) : undefined;
  const planned = plannedChanges(db, declared, live, { base, versions }, copyRows, copyCluster);
  await refuseUnmarkedVersionSchemas(db, declared, planned.changes, versions);
  // Both probes build what the plan creates first: the same statements, made once.
  const setup = probeSetup(db, declared, planned.changes);
  await refuseInvalidExpressions(db, declared, live, planned.changes, setup);
  await refuseExclusionsTheServerCannotBuild(db, planned.compared, planned.changes, setup);
  const tables = [...new Set(planned.changes.map((c) => (c.kind === 'create-table' ? c.table.name : c.table)))].filter((t) => t in live.tables);
  const rows = await db.dialect.estimateRows(db.conn, tables, options);
  const reorg = db.caps.reorgBudget === null || !db.dialect.reorgState ? {} : await db.dialect.reorgState(db.conn, Object.keys(live.tables), options);
  const plan = onCluster(db.cluster, declared, phased(db, planned, { rows, reorg }));
  const steps = plan.steps.filter((s) => s.table in live.tables).map((s) => ({ phase: s.phase, table: s.table, lock: s.lock, batched: s.work !== undefined }));
  const notes = db.dialect.serverNotes ? await db.dialect.serverNotes(db.conn, steps, options) : [];
  return { plan: { ...plan, warnings: [...plan.warnings, ...notes] }, live };
}

/** On a cluster node, each step's lock says what it costs the cluster, and the plan what the cluster refuses. */
function onCluster(cluster: Cluster | null, declared: DeclaredSchema, plan: Plan): Plan {
  if (!cluster) return plan;
  return { ...plan, steps: plan.steps.map((s) => ({ ...s, lock: clusterLock(s, cluster) })), warnings: [...plan.warnings, ...clusterWarnings(cluster, declared)] };
}

/** A dialect at one server version: what planning reads, with or without a server. */
export type PlanTarget = Pick<Database, 'dialect' | 'caps'>;

/**
 * Plans without a server (`plan --dialect`, `lint`): `live` is what the database is taken to hold
 * (empty for a fresh install, a release's declaration for an upgrade from it). The refusals and
 * the plan are those a server of that version would give, without what only a server can answer:
 * expressions and operator classes are not probed, and rows are not estimated.
 */
export function planWithoutServer(target: PlanTarget, declared: DeclaredSchema, live: SchemaModel, base: string): PlanResult {
  const planned = plannedChanges(target, declared, live, { base, versions: [] });
  return { plan: phased(target, planned, { rows: {}, reorg: {} }), live };
}

interface PlannedChanges {
  /** The declaration as this server compares it (MySQL: its unique indexes are its unique keys). */
  compared: DeclaredSchema;
  changes: Change[];
  selected: VersionSelected | null;
}

/** The refusals that need only the declaration, the live model and the capabilities; then the diff and the version schema steps. */
/**
 * `rows`: estimates of the tables a NOT NULL or a backfill may go through a copy of (`copyCandidates`);
 * without them (no server), every such table counts as large.
 */
function plannedChanges(
  target: PlanTarget,
  declared: DeclaredSchema,
  live: SchemaModel,
  versions: { base: string | null; versions: LiveVersionSchema[] },
  rows?: Record<string, number>,
  copyCluster: CopyCluster = SINGLE_SERVER,
): PlannedChanges {
  refuseMissingTransitionSources(declared, live);
  refuseBuiltOnSwappedColumns(declared, live);
  refuseSchemaWideNameClashes(target, declared);
  refuseForeignKeysTheServerRefuses(target, declared);
  refuseServerLimits(declared, target.caps);
  if (!target.caps.operatorClasses) refuseOperatorClasses(declared, target.caps.server);
  refuseIndexOptions(declared, target.caps);
  if (!target.caps.replicaIdentity) refuseReplicaIdentity(declared, target.caps.server);
  refuseOverlongComments(declared, target.caps);
  refuseSchemaObjects(declared, target.caps);
  refuseRemovedObjectsInUse(declared, live, target.dialect.compiler.schemaObjects);
  refuseBlockedTableRenames(declared, live, target.caps);
  refuseConstraintFeatures(declared, target.caps);
  const compared = target.caps.uniqueIndexIsKey ? uniqueIndexesAsKeys(declared) : declared;
  const diffed = copies(target.caps) ? throughCopies(diff(compared, live), live, rows, target.caps, copyCluster) : diff(compared, live);
  refuseObjectRenames(target, compared, live, diffed);
  const { base } = versions;
  if (base === null) return { compared, changes: diffed, selected: null };
  const selection = target.caps.versionSelection;
  const { changes: steps, selected } = versionSchemaChanges(diffed, { declared: compared, base, selection, live: versions.versions, tables: Object.keys(live.tables) });
  const select = selection === 'search-path' ? `search_path = ${selected}, ${base}` : `${target.dialect.runtime.schemaNoun} ${selected}`;
  return { compared, changes: [...diffed, ...steps], selected: selected === null ? null : { schema: selected, base, selection, select } };
}

function phased(target: PlanTarget, planned: PlannedChanges, stats: { rows: Record<string, number>; reorg: Record<string, ReorgState> }): Plan {
  const plan = buildPlan(planned.changes, {
    caps: target.caps,
    sql: target.dialect.compiler,
    transitions: target.dialect.transitions,
    batchLock: target.dialect.backfill.batchLock,
    statements: target.dialect.statements,
    tables: planned.compared.model.tables,
    rows: stats.rows,
    reorg: stats.reorg,
  });
  return planned.selected ? { ...plan, version: planned.selected } : plan;
}

function refuseMissingTransitionSources(declared: DeclaredSchema, live: SchemaModel): void {
  const missing = missingTransitionSources(declared, live);
  if (missing.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares transitions over columns that do not exist; nothing was changed:\n${missing.map((m) => `  ${m}`).join('\n')}`,
    1,
    'name the column as the live table has it (dbtide pull shows the live schema), or remove the transition',
  );
}

function refuseBuiltOnSwappedColumns(declared: DeclaredSchema, live: SchemaModel): void {
  const problems = builtOnSwappedColumns(declared, live);
  if (problems.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} changes the type of columns that keys or indexes are built on; nothing was changed:\n${problems.map((m) => `  ${m}`).join('\n')}`,
    1,
    'README.md ("Transitions") says what changeType can carry; change the type of such a column in a new column with derive()',
  );
}

function refuseSchemaWideNameClashes(db: PlanTarget, declared: DeclaredSchema): void {
  const clashes = schemaWideNameClashes(declared.model.tables, db.caps, db.dialect.runtime.schemaNoun);
  if (clashes.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} gives two tables' objects a name ${db.caps.server} allows once per ${db.dialect.runtime.schemaNoun}; nothing was changed:\n${clashes.map((m) => `  ${m}`).join('\n')}`,
    1,
    'rename one of each pair in the release file (declare `name:` on it); names that only have to differ within a table may repeat across tables',
  );
}

function refuseForeignKeysTheServerRefuses(db: PlanTarget, declared: DeclaredSchema): void {
  const problems = foreignKeyProblems(declared.model.tables, db.caps);
  if (problems.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares foreign keys ${db.caps.server} would refuse; nothing was changed:\n${problems.map((m) => `  ${m}`).join('\n')}`,
    1,
    'reference the primary key or a unique constraint that is not deferrable, with columns of matching types, in the release file',
  );
}

function refuseObjectRenames(db: PlanTarget, declared: DeclaredSchema, live: SchemaModel, changes: Change[]): void {
  const problems = [...objectRenameProblems(declared, live, db.caps), ...keptNameProblems(changes, db.caps)];
  if (problems.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} renames constraints or indexes the live database cannot rename as declared; nothing was changed:\n${problems.map((m) => `  ${m}`).join('\n')}`,
    1,
    'each line says what to change in the release file; `dbtide pull` shows the live names and definitions',
  );
}

/** A schema under a release's version schema name that is not dbtide's stops the plan. */
async function refuseUnmarkedVersionSchemas(db: Database, declared: DeclaredSchema, changes: Change[], versions: LiveVersionSchema[]): Promise<void> {
  for (const step of changes) {
    if (step.kind !== 'create-version-schema' || versions.some((v) => v.name === step.schema.name)) continue;
    if (!(await db.dialect.runtime.schemaExists(db.conn, step.schema.name))) continue;
    // An empty one is what a run stopped right after creating it leaves.
    if ((await db.conn.query(db.dialect.transitions.relationsOf, [step.schema.name])).length === 0) continue;
    const { schemaNoun } = db.dialect.runtime;
    throw new DbtideError(
      `release ${declared.release} changes a column's type, and its version ${schemaNoun} ${step.schema.name} (where the new version reads the new types) already exists without dbtide's marker; nothing was changed`,
      1,
      `rename or drop that ${schemaNoun} if it is not in use (dbtide names a release's version ${schemaNoun} <${schemaNoun}>_<release>), then run the command again`,
    );
  }
}

/** Every phase plans first, so a CHECK the server cannot parse stops `plan` and expand alike, not contract half done. */
async function refuseInvalidExpressions(db: Database, declared: DeclaredSchema, live: SchemaModel, changes: Change[], setup: string[]): Promise<void> {
  const expressions = declaredExpressions(changes, { declared, live, sql: db.dialect.compiler, partialIndexes: db.caps.partialIndexes });
  const refused = await probeExpressions(db.conn, db.dialect, expressions, setup);
  if (refused.length > 0) throw refusedExpressionsError(declared.release, refused);
}

/**
 * What the probe creates first, in its transaction that is rolled back: the sequences, domains and
 * enum types the plan creates (and the enum types it adds values to, as declared), which the
 * declared expressions and column types may name.
 */
function probeSetup(db: Database, declared: DeclaredSchema, changes: Change[]): string[] {
  const created = {
    sequences: changes.flatMap((c) => (c.kind === 'create-sequence' ? [c.sequence] : [])),
    domains: changes.flatMap((c) => (c.kind === 'create-domain' ? [c.domain] : [])),
    enums: changes.flatMap((c) => (c.kind === 'create-enum' ? [c.enum] : [])),
    grownEnums: [...new Set(changes.flatMap((c) => (c.kind === 'add-enum-value' ? [c.enum] : [])))].flatMap((name) => declared.model.enums?.[name] ?? []),
  };
  const sql = db.dialect.compiler.schemaObjects;
  if (!sql || Object.values(created).every((list) => list.length === 0)) return [];
  return sql.probeSetup(created);
}

/** An exclusion constraint's operator class or operator the server lacks stops every phase's plan, before anything runs. */
async function refuseExclusionsTheServerCannotBuild(db: Database, declared: DeclaredSchema, changes: Change[], setup: string[]): Promise<void> {
  if (!db.caps.exclusionConstraints) return;
  const refused = await probeExclusions(db.conn, db.dialect, declared, changes, setup);
  if (refused.length > 0) throw refusedExclusionsError(declared.release, db.caps.server, refused);
}

/** Identifies the declaration a run applied, so status can tell when the code moved on. */
export const schemaHash = (declared: DeclaredSchema) =>
  createHash('sha256').update(JSON.stringify(declared)).digest('hex');
