import type { Cluster } from './model/cluster.js';
import { loadSchemaFile } from './declaration/load-schema.js';
import { normalizeSchema } from './declaration/normalize.js';
import { renderDeclaration } from './declaration/render-declaration.js';
import type { Schema } from './declaration/dsl-types.js';
import { introspectLive, planAgainst, withDatabase, type Database } from './engine.js';
import { Ledger, type JobRecord, type RunRecord } from './execute/ledger.js';
import { pendingPhases, runPhase, type RunPhaseOptions, type RunPhaseResult } from './execute/run-phase.js';
import { isSchema } from './declaration/load-schema.js';
import type { DeclaredSchema, SchemaModel } from './model/schema-model.js';
import { stepsOf, type DriftItem, type Phase, type Plan, type Step, type VersionSelected } from './plan/step.js';
import { retryPolicy } from './execute/retry.js';
import { planScripts, type PlanScripts } from './execute/step-script.js';
import { redactUrl } from './redact.js';
import { runScan, type ScanOptions, type ScanReport } from './scan/run-scan.js';
import { releaseChain, type ChainRelease } from './declaration/load-schema.js';
import { DbtideError } from './errors.js';
import { runRollback, type RollbackOptions, type RollbackResult } from './rollback/run-rollback.js';

/** Where and what: the database, and the declaration (a release file, a `defineSchema` value, or normalized). */
export interface Target {
  url: string;
  /** What events and errors call the database; default: the URL's `host:port/database`. */
  name?: string;
  /** Where the tables live: a PostgreSQL schema (default `public`) or a MySQL database (default: the URL's). */
  databaseSchema?: string;
  /** Where `databaseSchema` came from (`--database-schema`, the config file), for messages. */
  databaseSchemaSource?: string;
  /** How long to wait for the embedded database when another process has it open. */
  lockWaitMs?: number;
}

export type Declaration = string | Schema | DeclaredSchema;

async function declared(declaration: Declaration): Promise<DeclaredSchema> {
  if (typeof declaration === 'string') return loadSchemaFile(declaration);
  return isSchema(declaration) ? normalizeSchema(declaration) : declaration;
}

const withTarget = <T>(target: Target, work: (db: Database) => Promise<T>): Promise<T> =>
  withDatabase(target.url, {
    ...(target.name === undefined ? {} : { name: target.name }),
    ...(target.lockWaitMs === undefined ? {} : { lockWaitMs: target.lockWaitMs }),
    ...(target.databaseSchema ? { schema: target.databaseSchema } : {}),
    ...(target.databaseSchemaSource ? { schemaSource: target.databaseSchemaSource } : {}),
  }, work);

export interface PlanReport {
  release: string;
  server: string;
  /** The cluster the server is a node of (Galera); absent on a server that is none. */
  cluster?: Cluster;
  url: string;
  plan: Plan;
  /** The statements as a run issues them, session statements included, with the cap on each lock wait they set. */
  scripts: PlanScripts & { lockTimeoutMs: number };
}

export async function planChanges(target: Target, declaration: Declaration, options: { lockTimeoutMs?: number } = {}): Promise<PlanReport> {
  const schema = await declared(declaration);
  return withTarget(target, async (db) => {
    const plan = (await planAgainst(db, schema)).plan;
    return { release: schema.release, server: db.caps.server, ...clusterOf(db), url: redactUrl(target.url), plan, scripts: scriptsOf(db, plan.steps, options.lockTimeoutMs) };
  });
}

/** A report's `cluster`, present only on a node of one: most servers are none. */
const clusterOf = (db: Database) => (db.cluster ? { cluster: db.cluster } : {});

/** The scripts of `steps` as a run with that cap (else the dialect's) issues them. */
export function scriptsOf({ caps, dialect }: Pick<Database, 'caps' | 'dialect'>, steps: Step[], lockTimeoutMs?: number): PlanReport['scripts'] {
  const capMs = retryPolicy(dialect.runtime, lockTimeoutMs === undefined ? {} : { lockTimeoutMs }).lockTimeoutMs;
  return { ...planScripts(caps, dialect.runtime, steps, capMs), lockTimeoutMs: capMs };
}

export type PhaseOptions = Omit<RunPhaseOptions, 'phase' | 'declared'>;

export async function applyPhase(phase: Phase, target: Target, declaration: Declaration, options: PhaseOptions = {}): Promise<RunPhaseResult> {
  const schema = await declared(declaration);
  return withTarget(target, (db) => runPhase(db, { phase, declared: schema, ...options }));
}

export const expand = (t: Target, d: Declaration, o?: PhaseOptions) => applyPhase('expand', t, d, o);
export const migrate = (t: Target, d: Declaration, o?: PhaseOptions) => applyPhase('migrate', t, d, o);
export const contract = (t: Target, d: Declaration, o?: PhaseOptions) => applyPhase('contract', t, d, o);

/** Exit codes of `dbtide check`: the next action. */
export const CHECK_EXIT = { upToDate: 0, error: 1, expand: 2, migrate: 3, contract: 4 } as const;

/**
 * Which application versions may run, by what is pending. The new version may roll out once
 * expand and migrate are done: its columns exist and hold every row's value (backfills and data
 * moves run in migrate). Contract waits until no old code runs.
 */
export type RolloutState = 'expand-pending' | 'migrate-pending' | 'rollout' | 'up-to-date';

const ROLLOUT_STATE: Record<Phase | 'none', RolloutState> = {
  expand: 'expand-pending',
  migrate: 'migrate-pending',
  contract: 'rollout',
  none: 'up-to-date',
};

export interface CheckReport {
  release: string;
  next: Phase | null;
  /** `rollout`: the new version may roll out now; contract once no old version runs. */
  state: RolloutState;
  /** Whether the new application version may run against the database now. */
  newCodeMayRun: boolean;
  exitCode: number;
  pending: Record<Phase, number>;
  /** Live objects the declaration does not know: the same list `plan` shows. */
  drift: DriftItem[];
  /** Where the new version reads a changed type under its declared name (README.md, "Type changes in the window"); null: its base. */
  version: VersionSelected | null;
}

/** Where a database stands against a declaration: what `check` and `status` report. */
function progressOf(release: string, plan: Plan): CheckReport {
  const next = pendingPhases(plan)[0] ?? null;
  const state = ROLLOUT_STATE[next ?? 'none'];
  return {
    release,
    next,
    state,
    newCodeMayRun: state === 'rollout' || state === 'up-to-date',
    exitCode: next === null ? CHECK_EXIT.upToDate : CHECK_EXIT[next],
    pending: { expand: stepsOf(plan, 'expand').length, migrate: stepsOf(plan, 'migrate').length, contract: stepsOf(plan, 'contract').length },
    drift: plan.drift,
    version: plan.version ?? null,
  };
}

export async function check(target: Target, declaration: Declaration): Promise<CheckReport> {
  const { release, plan } = await planChanges(target, declaration);
  return progressOf(release, plan);
}

export interface StatusReport extends CheckReport {
  server: string;
  /** The cluster the server is a node of; absent on a server that is none. */
  cluster?: Cluster;
  url: string;
  runs: RunRecord[];
  /** Backfills and data moves: rows done so far, running or done. */
  jobs: JobRecord[];
}

export async function status(target: Target, declaration: Declaration): Promise<StatusReport> {
  const schema = await declared(declaration);
  return withTarget(target, async (db) => {
    const { plan } = await planAgainst(db, schema);
    const ledger = new Ledger(db.conn, db.dialect);
    return {
      ...progressOf(schema.release, plan),
      server: db.caps.server,
      ...clusterOf(db),
      url: redactUrl(target.url),
      runs: await ledger.runs(),
      jobs: await ledger.jobs(),
    };
  });
}

export interface PullResult {
  model: SchemaModel;
  source: string;
}

/** Reads the live schema and renders it as a release file. */
export async function pull(target: Target, options: { release?: string; importFrom?: string } = {}): Promise<PullResult> {
  return withTarget(target, async (db) => {
    const model = await introspectLive(db);
    const source = renderDeclaration(model, {
      release: options.release ?? 'pulled',
      ...(options.importFrom ? { importFrom: options.importFrom } : {}),
    });
    return { model, source };
  });
}

/** Lists the rows that would block pending tightenings and, with `fix`, repairs them (see `ScanOptions`). */
export async function scan(target: Target, declaration: Declaration, options: ScanOptions = {}): Promise<ScanReport> {
  const schema = await declared(declaration);
  return withTarget(target, (db) => runScan(db, schema, options));
}

export interface RollbackRequest extends Omit<RollbackOptions, 'to' | 'withdrawn'> {
  /** The release to go back to; default: the one before the release last expanded, in `chain`. */
  to?: Declaration;
  /** The release chain's folder: where the default `to`, and the withdrawn release's declaration, are found. */
  chain?: string;
  /** The withdrawn release's declaration, where no chain holds it: without it every value of a new column counts as new data. */
  withdrawn?: Declaration;
}

/**
 * Withdraws the release last expanded (and migrated) before its contract: removes what its expand
 * created, so that the database is back at `to` (src/rollback/).
 */
export async function rollback(target: Target, request: RollbackRequest): Promise<RollbackResult> {
  const chain = request.chain === undefined ? [] : await releaseChain(request.chain);
  return withTarget(target, async (db) => {
    const last = await new Ledger(db.conn, db.dialect).lastExpanded();
    const at = chain.findIndex((r) => r.schema.release === last);
    const { to: given, chain: _, withdrawn: named, ...options } = request;
    const withdrawn = named !== undefined ? await declared(named) : at < 0 ? null : normalizeSchema(chain[at]!.schema);
    const to = given === undefined ? previousRelease(chain, at, last, request.chain, db.name) : await declared(given);
    return runRollback(db, { ...options, to, withdrawn });
  });
}

/** The release before `last` in the chain: the default of `rollback --to`. */
function previousRelease(chain: ChainRelease[], at: number, last: string | null, folder: string | undefined, name: string): DeclaredSchema {
  if (last === null) throw new DbtideError(`nothing to roll back on ${name}: its ledger records no expand`, 1, 'rollback withdraws the release an expand applied; run it after that expand');
  if (at > 0) return normalizeSchema(chain[at - 1]!.schema);
  const where = folder === undefined ? 'no release chain was given' : at === 0 ? `it is the first release of the chain in ${folder}` : `the chain in ${folder} has no release ${last}`;
  throw new DbtideError(`no release to roll back to from ${last} on ${name}: ${where}`, 1, 'pass --to <release file>: the release whose declaration the database goes back to');
}
