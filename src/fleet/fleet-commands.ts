import { check, planChanges, rollback, scan, status, type PhaseOptions, type RollbackRequest, type Target } from '../api.js';
import { withDatabase } from '../engine.js';
import { applyPhase as applyPreparedPhase, preparePhase, runPhase } from '../execute/run-phase.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { Phase } from '../plan/step.js';
import type { ScanOptions } from '../scan/run-scan.js';
import { targetUrl, type FleetTarget } from './fleet-file.js';
import { waves, type Selection } from './fleet-order.js';
import { FLEET_DEFAULTS, runFleet, type FleetOptions, type FleetSummary, type FleetWork, type TargetOutcome } from './run-fleet.js';

export const FLEET_COMMANDS = ['plan', 'expand', 'migrate', 'contract', 'check', 'status', 'scan', 'rollback'] as const;
export type FleetCommand = (typeof FLEET_COMMANDS)[number];

export interface FleetRequest extends FleetOptions {
  command: FleetCommand;
  targets: FleetTarget[];
  /** The release every target is compared with (all commands but rollback). */
  declared?: DeclaredSchema;
  selection?: Selection;
  databaseSchema?: string;
  /** expand, migrate, contract: what the single-database phase takes. */
  phase?: Omit<PhaseOptions, 'onEvent' | 'signal'>;
  scan?: Omit<ScanOptions, 'onEvent'>;
  rollback?: Omit<RollbackRequest, 'onEvent' | 'signal'>;
}

export interface FleetResult extends FleetSummary {
  command: FleetCommand;
  /** check: how many targets stand at each next action. */
  distribution?: Record<string, number>;
  /** The fleet's exit code: check's furthest behind, else the first failure's. */
  exitCode: number;
}

/** check's next action, from furthest behind: the fleet's answer is its worst target's. */
const BEHIND: Record<string, number> = { failed: 0, 'expand pending': 1, 'migrate pending': 2, 'contract pending': 3, 'up to date': 4 };
const CHECK_EXITS: Record<string, number> = { failed: 1, 'expand pending': 2, 'migrate pending': 3, 'contract pending': 4, 'up to date': 0 };

/**
 * Runs one dbtide command on every target of the fleet (`runFleet` schedules them). A phase skips
 * a target whose ledger says it is past that phase, so a rerun resumes; contract refuses while any
 * target it would run on still has expand or migrate pending.
 */
export async function runFleetCommand(request: FleetRequest): Promise<FleetResult> {
  const plan = waves(request.targets, request.selection ?? {});
  const selected = plan.flatMap((w) => w.targets);
  if (request.command === 'contract') await refuseContractWhileBehind(request, selected);
  const summary = await runFleet(plan, workOf(request), request);
  const distribution = request.command === 'check' ? distributionOf(summary.outcomes) : undefined;
  return { ...summary, command: request.command, ...(distribution ? { distribution } : {}), exitCode: exitCodeOf(summary, distribution) };
}

const targetOf = (t: FleetTarget, request: FleetRequest): Target => ({ url: targetUrl(t), name: t.name, ...(request.databaseSchema ? { databaseSchema: request.databaseSchema } : {}) });

function declaredOf(request: FleetRequest): DeclaredSchema {
  if (!request.declared) throw new DbtideError(`fleet ${request.command} needs the release to compare with`, 1, 'pass --schema <file>, or run it where the migrations folder is');
  return request.declared;
}

function workOf(request: FleetRequest): FleetWork {
  const { command } = request;
  switch (command) {
    case 'expand':
    case 'migrate':
    case 'contract':
      return async (t, onEvent, signal) => {
        const target = targetOf(t, request);
        const declared = declaredOf(request);
        const options = { ...request.phase, phase: command, declared, onEvent, ...(signal ? { signal } : {}) };
        // Planned once, under the run lock: a target with nothing left of the phase is skipped, its ledger untouched.
        return withDatabase(target.url, { name: t.name, ...(target.databaseSchema ? { schema: target.databaseSchema } : {}) }, async (db) => {
          const dryRun = request.phase?.dryRun === true;
          const prepared = dryRun ? null : await preparePhase(db, options);
          const steps = prepared ? prepared.steps : (await runPhase(db, { ...options, dryRun: true })).steps;
          if (steps.length === 0) {
            await prepared?.release();
            return { state: 'skipped', exitCode: 0, message: `nothing left of ${command}`, detail: { steps: [] } };
          }
          const result = prepared ? await applyPreparedPhase(prepared) : { steps, moreToDo: false };
          return {
            state: 'ok',
            exitCode: result.moreToDo ? 3 : 0,
            message: `${steps.length} step(s)${dryRun ? ' (dry run)' : ''}${result.moreToDo ? '; stopped at the row limit, more to do' : ''}`,
            detail: { steps: steps.map((s) => s.id), moreToDo: result.moreToDo, dryRun },
          };
        });
      };
    case 'check':
      return async (t) => {
        const report = await check(targetOf(t, request), declaredOf(request));
        return { state: 'ok', exitCode: report.exitCode, message: nextLabel(report.next), detail: { next: report.next, state: report.state, pending: report.pending } };
      };
    case 'status':
      return async (t) => {
        const report = await status(targetOf(t, request), declaredOf(request));
        const last = report.runs[0];
        return { state: 'ok', exitCode: 0, message: `${nextLabel(report.next)}; last run: ${last ? `${last.phase} ${last.release} ${last.status}` : 'none'}`, detail: { next: report.next, runs: report.runs.slice(0, 5) } };
      };
    case 'plan':
      return async (t) => {
        const { plan } = await planChanges(targetOf(t, request), declaredOf(request));
        const count = (p: Phase) => plan.steps.filter((s) => s.phase === p).length;
        return { state: 'ok', exitCode: 0, message: `expand ${count('expand')}, migrate ${count('migrate')}, contract ${count('contract')} step(s); ${plan.drift.length} drift`, detail: { steps: plan.steps.map((s) => s.id), drift: plan.drift } };
      };
    case 'scan':
      return async (t) => {
        const report = await scan(targetOf(t, request), declaredOf(request), request.scan ?? {});
        return { state: 'ok', exitCode: report.exitCode, message: `${report.offending} offending row(s)${report.repairs.length > 0 ? `, ${report.repairs.length} repair(s)` : ''}`, detail: { findings: report.remaining } };
      };
    case 'rollback':
      return async (t, onEvent, signal) => {
        const result = await rollback(targetOf(t, request), { ...request.rollback, onEvent, ...(signal ? { signal } : {}) });
        if (result.from === null || (result.steps.length === 0 && !result.dryRun)) return { state: 'skipped', exitCode: 0, message: 'nothing to roll back', detail: { from: result.from, to: result.to } };
        return { state: 'ok', exitCode: 0, message: `${result.steps.length} step(s) back from ${result.from} to ${result.to}${result.dryRun ? ' (dry run)' : ''}`, detail: { from: result.from, to: result.to, steps: result.steps.map((s) => s.id) } };
      };
  }
}

const nextLabel = (next: Phase | null) => (next === null ? 'up to date' : next === 'contract' ? 'contract pending' : `${next} pending`);

/**
 * Contract drops what the old version uses: it waits until every target it runs on is past
 * migrate. Asked as a fleet check of those targets, so it is scheduled as any fleet run is.
 */
async function refuseContractWhileBehind(request: FleetRequest, targets: FleetTarget[]): Promise<void> {
  const asked = await runFleet([{ label: 'contract precheck', targets, alone: false }], workOf({ ...request, command: 'check' }), {
    concurrency: request.concurrency ?? FLEET_DEFAULTS.concurrency,
    continueOnError: true,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const behind = asked.outcomes.flatMap((o) => {
    if (o.state !== 'ok') return [`${o.name}: cannot tell (${o.message})`];
    const { next } = o.detail as { next: Phase | null };
    return next === 'expand' || next === 'migrate' ? [`${o.name}: ${next} pending`] : [];
  });
  if (behind.length === 0) return;
  throw new DbtideError(
    `fleet contract refused: ${behind.length} target(s) are not past migrate, and contract would remove what their old version uses; nothing was changed:\n${behind.sort().map((b) => `  ${b}`).join('\n')}`,
    1,
    'run fleet expand and fleet migrate until every target is done (fleet check shows where each stands), or narrow the contract with --only',
  );
}

function distributionOf(outcomes: TargetOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.state === 'not-run') continue;
    const label = o.state === 'failed' ? 'failed' : o.message;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

function exitCodeOf(summary: FleetSummary, distribution: Record<string, number> | undefined): number {
  if (distribution) {
    const worst = Object.keys(distribution).sort((a, b) => BEHIND[a]! - BEHIND[b]!)[0];
    return worst === undefined ? 0 : CHECK_EXITS[worst]!;
  }
  const failed = summary.outcomes.find((o) => o.state === 'failed');
  if (failed) return failed.exitCode || 1;
  return Math.max(0, ...summary.outcomes.map((o) => o.exitCode));
}
