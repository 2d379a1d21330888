import type { Capabilities, RuntimeSql } from '../dialect.js';
import type { Step } from '../plan/step.js';

/** How the executor runs a step's statements: worked out once, for the run and for what plan prints. */
export interface StepScript {
  /** Every statement in one transaction, which has its own cap on lock waits. */
  atomic: boolean;
  /** What is attempted (and retried) as one, in order. */
  units: ScriptUnit[];
}

export interface ScriptUnit {
  statements: string[];
  /**
   * Runs with no cap on lock waits: its waits never queue writers (PostgreSQL's CONCURRENTLY
   * builds), and a cap would only cancel it half done.
   */
  uncapped: boolean;
}

type Runtime = Pick<RuntimeSql, 'waitsWithoutBlocking' | 'lockTimeout' | 'transactionStart'>;

export function stepScript(caps: Pick<Capabilities, 'transactionalDdl'>, runtime: Runtime, step: Pick<Step, 'sql' | 'transactional' | 'together'>): StepScript {
  // A raw SQL step may hold a statement no transaction can (PostgreSQL's CONCURRENTLY builds).
  const atomic = step.transactional && caps.transactionalDdl && !step.sql.some((sql) => runtime.waitsWithoutBlocking(sql));
  const groups = atomic || step.together === true ? [step.sql] : step.sql.map((sql) => [sql]);
  return { atomic, units: groups.map((statements) => ({ statements, uncapped: !atomic && runtime.waitsWithoutBlocking(statements[0]!) })) };
}

/** What a run issues once, before its first step. */
export const sessionSql = (runtime: Runtime, capMs: number) => runtime.lockTimeout(capMs, false);

/**
 * The step's statements in the order they run, with the session statements the executor issues
 * around them: a script copied from the plan is as bounded as the run.
 */
export function scriptSql(runtime: Runtime, script: StepScript, capMs: number): string[] {
  const statements = script.units.flatMap((u) => u.statements);
  if (script.atomic) return [...(runtime.transactionStart ? [runtime.transactionStart] : []), ...runtime.lockTimeout(capMs, true), ...statements, 'COMMIT'];
  return script.units.flatMap((u) => (u.uncapped ? [...runtime.lockTimeout(null, false), ...u.statements, ...runtime.lockTimeout(capMs, false)] : u.statements));
}

/** What a plan prints: the session statements of a run, and each step's statements as they run. */
export interface PlanScripts {
  session: string[];
  /** By step id. Data work runs its own batches: its statements as planned. */
  steps: Record<string, string[]>;
}

export function planScripts(caps: Pick<Capabilities, 'transactionalDdl'>, runtime: Runtime, steps: Step[], capMs: number): PlanScripts {
  return {
    session: sessionSql(runtime, capMs),
    steps: Object.fromEntries(steps.map((s) => [s.id, s.work ? s.sql : scriptSql(runtime, stepScript(caps, runtime, s), capMs)])),
  };
}
