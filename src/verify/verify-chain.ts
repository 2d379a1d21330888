import { existsSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { dialectFor } from '../../dialects/registry.js';
import { loadChain as loadReleases } from '../declaration/load-schema.js';
import { importUserModule } from '../declaration/user-modules.js';
import type { ScratchDatabase } from '../dialect.js';
import { introspectLive, openDatabase, withDatabase, type Database } from '../engine.js';
import { DbtideError, NotConverged } from '../errors.js';
import { Ledger } from '../execute/ledger.js';
import { runPhase } from '../execute/run-phase.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import { PHASES, type Phase } from '../plan/step.js';
import { redactText, redactUrl } from '../redact.js';
import type { CheckName, CheckResult, ChainReport, ReleaseResult } from './chain-report.js';
import { compareSchemas } from './compare-schemas.js';
import { policyBreaches } from './phase-policy.js';
import { roundTrips, rowCounts, rowDigests, type RoundTrip } from './data-checks.js';
import { probeReadsAndWrites } from './row-probe.js';
import { runRollback } from '../rollback/run-rollback.js';

export interface VerifyChainOptions {
  /** The server to make scratch databases on; default: the embedded database. */
  url?: string;
  migrations: string;
  /** Release (name or file name) to install fresh and upgrade from; default the first. */
  from?: string;
  /** Seed with the chain's own `seed.ts` (its `verifyChainSeed(url)` export) instead of generated rows. */
  seed?: boolean;
  onCheck?: (release: string, check: CheckResult) => void;
  /** What a failed check's report says to do; default: the error's own hint (the CLI's names `dbtide` commands). */
  hintFor?: (error: DbtideError) => string | undefined;
  /** Called with each scratch database as it is made, so a signal handler can drop it. */
  onScratch?: (scratch: ScratchDatabase) => void;
}

interface Release {
  file: string;
  declared: DeclaredSchema;
}

const EMBEDDED = 'pglite:verify-chain';
const GENERATED_ROWS = 3;

/**
 * Upgrades a scratch database release by release and proves at each step: expand kept the
 * previous release working, every phase converged and reruns as a no-op, the result equals a
 * fresh install, expand and migrate ran nothing destructive, and no data was lost.
 */
export async function verifyChain(options: VerifyChainOptions): Promise<ChainReport> {
  const started = Date.now();
  const chain = await loadChain(options.migrations, options.from);
  const base = options.url ?? EMBEDDED;
  const dialect = await dialectFor(base);
  const links = chain.at(-1)!.declared.model;
  const scratch = async (label: string) => {
    const db = await dialect.createScratch(base, label);
    options.onScratch?.(db);
    return db;
  };

  const upgraded = await scratch('verify_upgraded');
  const releases: ReleaseResult[] = [];
  // One session for the whole chain: an embedded database pays its start-up once.
  let db = await openDatabase(upgraded.url);
  const server = db.caps.server;
  try {
    for (const [i, release] of chain.entries()) {
      const result: ReleaseResult = { release: release.declared.release, file: relative(process.cwd(), release.file), checks: [], ok: true, ms: 0 };
      releases.push(result);
      const releaseStarted = Date.now();
      const check = async (name: CheckName, work: () => Promise<{ summary: string; details?: string[]; ok?: boolean }>) => {
        const checkStarted = Date.now();
        let outcome: CheckResult;
        try {
          const r = await work();
          outcome = { name, ok: r.ok ?? true, ms: Date.now() - checkStarted, summary: r.summary, ...(r.details ? { details: r.details } : {}) };
        } catch (error) {
          const message = redactText(error instanceof Error ? error.message : String(error));
          const hint = error instanceof DbtideError ? (options.hintFor?.(error) ?? error.hint) : undefined;
          outcome = { name, ok: false, ms: Date.now() - checkStarted, summary: message.split('\n')[0]!, details: [...message.split('\n'), ...(hint ? [`hint: ${redactText(hint)}`] : [])] };
        }
        result.checks.push(outcome);
        result.ok &&= outcome.ok;
        options.onCheck?.(result.release, outcome);
        return outcome.ok;
      };

      if (i === 0) {
        const installed = await check('install', async () => ({ summary: `${await install(db, release.declared)} step(s), fresh` }));
        if (installed && options.seed) {
          // The chain's seed opens the database itself (an embedded one admits one session).
          await db.close();
          await check('seed', () => chainSeed(options.migrations, upgraded.url));
          db = await openDatabase(upgraded.url);
        } else if (installed) await check('seed', () => generatedRows(db, release.declared.model, links));
      } else {
        await upgrade(release, chain[i - 1]!.declared, db, links, check, scratch, i);
      }
      result.ms = Date.now() - releaseStarted;
      if (!result.ok) break;
    }
  } finally {
    await db.close();
    await upgraded.drop();
  }
  return { server, target: redactUrl(base), releases, ok: releases.every((r) => r.ok) && releases.length === chain.length, ms: Date.now() - started };
}

type Check = (name: CheckName, work: () => Promise<{ summary: string; details?: string[]; ok?: boolean }>) => Promise<boolean>;

async function upgrade(
  release: Release,
  previous: DeclaredSchema,
  db: Database,
  links: SchemaModel,
  check: Check,
  scratch: (label: string) => Promise<ScratchDatabase>,
  index: number,
): Promise<void> {
  const declared = release.declared;
  const phase = (p: Phase) => async () => {
    try {
      return { summary: `${await runOn(db, p, declared)} step(s)` };
    } catch (error) {
      if (!(error instanceof NotConverged)) throw error;
      return { ok: false, summary: `${p} is not idempotent: a rerun would run ${error.left.length} step(s) again`, details: [error.message, `hint: ${error.hint}`] };
    }
  };
  if (!(await check('expand', phase('expand')))) return;
  await check('compatibility', async () => {
    const failures = await (async () => {
      // Distinct values per release and code version: unique columns must not collide.
      const old = await probeReadsAndWrites(db.conn, db.dialect, previous.model, { seed: 1000 * index + 1, linksFrom: links });
      const fresh = await probeReadsAndWrites(db.conn, db.dialect, declared.model, { seed: 1000 * index + 2, linksFrom: links });
      return [
        ...old.filter((r) => !r.ok).map((r) => `${previous.release} code on ${r.table}: ${r.error}`),
        ...fresh.filter((r) => !r.ok).map((r) => `${declared.release} code on ${r.table}: ${r.error}`),
      ];
    })();
    return failures.length === 0
      ? { summary: `${previous.release} and ${declared.release} code insert, read and update every table` }
      : { ok: false, summary: `${failures.length} table(s) refuse a release's reads or writes after expand`, details: failures };
  });
  if (!(await check('rollback', () => rollbackAndBack(db, declared, previous, links, index)))) return;
  if (!(await check('migrate', phase('migrate')))) return;
  // One catalog read serves both: the schema does not change between them.
  const migrated = await introspectLive(db);
  const before = { counts: await rowCounts(db, migrated), trips: await roundTrips(db, migrated, declared) };
  if (!(await check('contract', phase('contract')))) return;
  await check('idempotence', async () => {
    const reruns: string[] = [];
    for (const p of PHASES) {
      const steps = await runOn(db, p, declared, true);
      if (steps.length > 0) reruns.push(`${p} rerun ran ${steps.length} step(s): ${steps.join('; ')}`);
    }
    return reruns.length === 0 ? { summary: 'expand, migrate and contract rerun as no-ops' } : { ok: false, summary: 'a phase rerun did more work', details: reruns };
  });
  // Read once after contract: schema equality compares it, the data check counts its tables.
  let contracted: SchemaModel | undefined;
  await check('schema-equality', async () => {
    const fresh = await scratch('verify_fresh');
    try {
      const freshModel = await withDatabase(fresh.url, {}, async (f) => {
        await install(f, declared);
        return introspectLive(f);
      });
      const upgradedModel = (contracted = await introspectLive(db));
      const differences = compareSchemas(upgradedModel, freshModel);
      return differences.length === 0
        ? { summary: `equals a fresh install (${Object.keys(freshModel.tables).length} tables)` }
        : { ok: false, summary: `${differences.length} difference(s) from a fresh install`, details: differences };
    } finally {
      await fresh.drop();
    }
  });
  await check('phase-policy', async () => {
    const statements = await new Ledger(db.conn, db.dialect).statementsOf(declared.release);
    const breaches = policyBreaches(statements, db.dialect.statements);
    return breaches.length === 0
      ? { summary: `${statements.length} statement(s), each allowed in its phase` }
      : { ok: false, summary: `${breaches.length} statement(s) break the phase policy`, details: breaches };
  });
  await check('data', async () => {
    const counts = await rowCounts(db, contracted ?? (await introspectLive(db)));
    const problems = [...lostRows(before.counts, counts, declared), ...lossyTrips(before.trips), ...(await brokenInvariants(db, declared))];
    return problems.length === 0
      ? { summary: `row counts kept, ${before.trips.length} transition(s) round-trip, ${declared.invariants?.length ?? 0} invariant(s) hold` }
      : { ok: false, summary: `${problems.length} data problem(s)`, details: problems };
  });
}

/**
 * The release can be withdrawn after its expand: a rollback changes no row of the previous
 * release's columns, reruns as a no-op, and leaves its code working and its plan empty, but for re-tightening what the release relaxed (a rollback leaves
 * that to the previous release's contract, after its prechecks), and expanding the release again
 * converges. The rows the probes wrote into the release's new columns and tables go with them.
 */
async function rollbackAndBack(db: Database, declared: DeclaredSchema, previous: DeclaredSchema, links: SchemaModel, index: number): Promise<{ summary: string; details?: string[]; ok?: boolean }> {
  const before = await rowDigests(db, previous.model);
  const back = await runRollback(db, { to: previous, withdrawn: declared, discardNewData: true });
  const after = await rowDigests(db, previous.model);
  const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
  const rerun = await runRollback(db, { to: previous, withdrawn: declared, discardNewData: true });
  const relaxed = new Set(back.notUndone.map(objectOf));
  const retighten = back.remaining.filter((s) => relaxed.has(objectOf(s.id)));
  const problems = [
    ...changed.map((t) => `the rollback changed rows of ${t} as ${previous.release} declares it`),
    ...rerun.steps.map((s) => `a second rollback ran again: ${s.description}`),
    ...back.remaining.filter((s) => !retighten.includes(s)).map((s) => `after the rollback ${previous.release} still plans: ${s.phase}: ${s.description}`),
  ];
  const probe = await probeReadsAndWrites(db.conn, db.dialect, previous.model, { seed: 1000 * index + 3, linksFrom: links });
  problems.push(...probe.filter((r) => !r.ok).map((r) => `${previous.release} code on ${r.table} after the rollback: ${r.error}`));
  if (problems.length > 0) return { ok: false, summary: `the rollback to ${previous.release} left ${problems.length} problem(s)`, details: problems };
  const again = await runOn(db, 'expand', declared);
  const left = retighten.length > 0 ? `; ${retighten.length} relaxation(s) left to ${previous.release}'s own phases` : '';
  return { summary: `${back.steps.length} step(s) back to ${previous.release}, its rows unchanged, a rerun a no-op, its code working${left}; expand again converged (${again} step(s))` };
}

/** `table.name` of a step id: a relaxation and the step restoring it name the same object. */
const objectOf = (stepId: string) => stepId.slice(stepId.indexOf(':') + 1);

function lostRows(before: Record<string, number>, after: Record<string, number>, declared: DeclaredSchema): string[] {
  const renamed = new Map(declared.transitions.flatMap((t) => (t.kind === 'rename-table' ? [[t.from, t.to] as const] : [])));
  return Object.entries(before).flatMap(([table, n]) => {
    const now = after[renamed.get(table) ?? table];
    return now === undefined || now === n ? [] : [`${table}: ${n} row(s) before migrate and contract, ${now} after`];
  });
}

const lossyTrips = (trips: RoundTrip[]) =>
  trips.filter((t) => t.count > 0).map((t) => `${t.description}: ${t.count} row(s) do not come back (e.g. ${t.sample.join(', ')}): the forward expression loses data`);

async function brokenInvariants(db: Database, declared: DeclaredSchema): Promise<string[]> {
  const broken: string[] = [];
  for (const invariant of declared.invariants ?? []) {
    const rows = await db.conn.query(invariant.sql);
    if (rows.length > 0) broken.push(`invariant "${invariant.name}" returned ${rows.length} row(s), e.g. ${JSON.stringify(rows[0])}`);
  }
  return broken;
}

async function chainSeed(dir: string, url: string): Promise<{ summary: string }> {
  const file = ['seed.ts', 'seed.js'].map((f) => resolve(dir, f)).find(existsSync);
  if (!file) throw new DbtideError(`--seed: no seed.ts or seed.js in ${resolve(dir)}`, 1, 'export verifyChainSeed(url) from the seed file, or leave out --seed for generated rows');
  const hook = ((await importUserModule(file)) as { verifyChainSeed?: (url: string) => Promise<unknown> }).verifyChainSeed;
  if (typeof hook !== 'function') throw new DbtideError(`--seed: ${file} has no verifyChainSeed(url) export`, 1);
  await hook(url);
  return { summary: `${basename(file)} seeded the first release` };
}

async function generatedRows(db: Database, model: SchemaModel, links: SchemaModel): Promise<{ summary: string; details?: string[]; ok?: boolean }> {
  const failures: string[] = [];
  for (let n = 1; n <= GENERATED_ROWS; n++) {
    for (const r of await probeReadsAndWrites(db.conn, db.dialect, model, { seed: n, linksFrom: links })) if (!r.ok) failures.push(`${r.table}: ${r.error}`);
  }
  return failures.length === 0
    ? { summary: `${GENERATED_ROWS} generated row(s) per table` }
    : { ok: false, summary: `${failures.length} generated row(s) refused`, details: failures };
}

async function loadChain(dir: string, from: string | undefined): Promise<Release[]> {
  const chain = await loadReleases(dir);
  if (chain.length === 0) throw new DbtideError(`no release files in ${resolve(dir)}`, 1, 'pass --migrations <dir> (release files are named like 001-initial.ts)');
  if (from === undefined) return chain;
  const start = chain.findIndex((r) => r.declared.release === from || basename(r.file).replace(/\.[^.]+$/, '') === from || basename(r.file) === from);
  if (start < 0) throw new DbtideError(`--from ${from}: no such release in ${resolve(dir)}`, 1, `releases: ${chain.map((r) => r.declared.release).join(', ')}`);
  return chain.slice(start);
}

/** Runs one phase; returns the descriptions of the steps it ran (`rerun`) or their count. */
async function runOn(db: Database, phase: Phase, declared: DeclaredSchema): Promise<number>;
async function runOn(db: Database, phase: Phase, declared: DeclaredSchema, rerun: true): Promise<string[]>;
async function runOn(db: Database, phase: Phase, declared: DeclaredSchema, rerun = false): Promise<number | string[]> {
  // Tombstoned drops are the declaration's own intent: verify-chain confirms them as an operator would.
  const result = await runPhase(db, { phase, declared });
  return rerun ? result.steps.map((s) => s.description) : result.steps.length;
}

async function install(db: Database, declared: DeclaredSchema): Promise<number> {
  let steps = 0;
  for (const phase of PHASES) steps += await runOn(db, phase, declared);
  return steps;
}
