import { DbtideError } from '../errors.js';
import type { RunEvent } from '../execute/events.js';
import { redactText } from '../redact.js';
import type { FleetTarget } from './fleet-file.js';
import type { Wave } from './fleet-order.js';

/** `ok`: the command ran; `skipped`: the target's ledger says it is done; `not-run`: the fleet stopped before it. */
export type TargetState = 'ok' | 'failed' | 'skipped' | 'not-run';

export interface TargetOutcome {
  name: string;
  group?: string;
  wave: string;
  state: TargetState;
  /** The single-database command's exit code (`check`: the next action). */
  exitCode: number;
  ms: number;
  /** One line: what it did, or why it failed (passwords hidden). */
  message: string;
  /** The command's own result, for JSON output. */
  detail?: unknown;
}

/** What a target's work reports when it did not fail. */
export interface WorkResult {
  state: 'ok' | 'skipped';
  exitCode: number;
  message: string;
  detail?: unknown;
}

export type FleetWork = (target: FleetTarget, onEvent: (event: RunEvent) => void, signal: AbortSignal | undefined) => Promise<WorkResult>;

export type FleetEvent =
  | { type: 'wave-start'; wave: string; targets: string[] }
  | { type: 'target-start'; target: string; wave: string }
  /** A single-database run's event, `target` being the fleet target's name. */
  | { type: 'target-event'; target: string; event: RunEvent }
  | { type: 'target-done'; outcome: TargetOutcome }
  /** A target failed: no new target starts (without `continueOnError`); running ones finish. */
  | { type: 'stopping'; failed: string };

export interface FleetOptions {
  /** Targets at once within a wave (a canary wave runs one at a time). Default 4. */
  concurrency?: number;
  /** Go on starting targets after one failed. */
  continueOnError?: boolean;
  onEvent?: (event: FleetEvent) => void;
  /** Once aborted, no new target starts; running ones stop as their own run does on a signal. */
  signal?: AbortSignal;
}

export interface FleetSummary {
  outcomes: TargetOutcome[];
  ok: number;
  failed: number;
  skipped: number;
  notRun: number;
  ms: number;
}

export const FLEET_DEFAULTS = { concurrency: 4 };

/**
 * Runs `work` on every target, wave by wave: a wave ends before the next begins, at most
 * `concurrency` targets at once (one at a time in a canary wave). After a failure no target
 * starts, unless `continueOnError`; the ones running finish. The fleet keeps no state of its own:
 * each database's ledger says what is done, so a rerun resumes by asking them.
 */
export async function runFleet(plan: Wave[], work: FleetWork, options: FleetOptions = {}): Promise<FleetSummary> {
  const started = Date.now();
  const emit = options.onEvent ?? (() => {});
  const outcomes: TargetOutcome[] = [];
  let stopping = false;
  for (const wave of plan) {
    if (stopping || options.signal?.aborted) {
      outcomes.push(...wave.targets.map((t) => notRun(t, wave.label)));
      continue;
    }
    emit({ type: 'wave-start', wave: wave.label, targets: wave.targets.map((t) => t.name) });
    const queue = [...wave.targets];
    const one = async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        if (stopping || options.signal?.aborted) {
          outcomes.push(notRun(target, wave.label));
          continue;
        }
        emit({ type: 'target-start', target: target.name, wave: wave.label });
        const outcome = await attempt(target, wave.label, work, emit, options.signal);
        outcomes.push(outcome);
        emit({ type: 'target-done', outcome });
        if (outcome.state === 'failed' && !options.continueOnError && !stopping) {
          stopping = true;
          emit({ type: 'stopping', failed: target.name });
        }
      }
    };
    const lanes = wave.alone ? 1 : Math.max(1, options.concurrency ?? FLEET_DEFAULTS.concurrency);
    await Promise.all(Array.from({ length: Math.min(lanes, wave.targets.length) }, one));
  }
  const count = (state: TargetState) => outcomes.filter((o) => o.state === state).length;
  return { outcomes, ok: count('ok'), failed: count('failed'), skipped: count('skipped'), notRun: count('not-run'), ms: Date.now() - started };
}

async function attempt(target: FleetTarget, wave: string, work: FleetWork, emit: (e: FleetEvent) => void, signal: AbortSignal | undefined): Promise<TargetOutcome> {
  const started = Date.now();
  const base = { name: target.name, ...(target.group ? { group: target.group } : {}), wave };
  try {
    const result = await work(target, (event) => emit({ type: 'target-event', target: target.name, event }), signal);
    return { ...base, ...result, ms: Date.now() - started };
  } catch (error) {
    const exitCode = error instanceof DbtideError ? error.exitCode : 1;
    // A refusal's first lines often only announce the list that follows: up to its first item.
    const lines = redactText(error instanceof Error ? error.message : String(error)).split('\n');
    const end = lines.findIndex((l) => !l.trimEnd().endsWith(':'));
    const message = lines.slice(0, end < 0 ? lines.length : Math.min(end + 1, 4)).map((l) => l.trim()).join(' ');
    const hint = error instanceof DbtideError && error.hint ? redactText(error.hint) : undefined;
    return { ...base, state: 'failed', exitCode, message, ms: Date.now() - started, ...(hint ? { detail: { hint, message: redactText((error as Error).message) } } : {}) };
  }
}

const notRun = (target: FleetTarget, wave: string): TargetOutcome => ({
  name: target.name,
  ...(target.group ? { group: target.group } : {}),
  wave,
  state: 'not-run',
  exitCode: 0,
  ms: 0,
  message: 'not started: the fleet stopped after a failure',
});
