import type { VersionSelection } from '../dialect.js';
import type { ChangeKind } from '../diff/changes.js';
import type { DataMove } from '../model/transition.js';
import type { KeyedJob } from '../model/keyed-table.js';
import type { LockInfo } from '../model/locks.js';
import type { PrecheckKind, PrecheckRule } from '../model/precheck-rule.js';
import { PHASES, type Phase, type RunKind } from '../model/phase.js';

export { PHASES, type Phase, type RunKind };

/** What a step does: a change's kind, the validation a deferred constraint gets, or the reorganization Db2 needs after some ALTERs. */
export type StepOperation =
  | Exclude<ChangeKind, 'drift' | 'set-not-null-through-copy' | 'backfill-through-copy' | 'index-through-copy'>
  | 'validate-constraint'
  | 'reorg-table'
  /** A rollback's: a renamed table takes its old name back from its view (src/rollback/). */
  | 'restore-table-name'
  | CopyStepOperation;

/** The steps of NOT NULL through a copy of the table (src/plan/operations/table-copy.ts). */
export type CopyStepOperation = 'create-table-copy' | 'copy-table' | 'swap-table-copy' | 'drop-replaced-table';

export const phaseIndex = (phase: Phase) => PHASES.indexOf(phase);
export const laterPhase = (a: Phase, b: Phase): Phase => (phaseIndex(a) >= phaseIndex(b) ? a : b);


/** A scan that must find no offending rows before a tightening step may run. */
export interface Precheck {
  kind: PrecheckKind;
  table: string;
  columns: string[];
  /** What must hold, e.g. `instances.uuid has no NULL`. */
  description: string;
  rule: PrecheckRule;
}



export interface Step {
  /** Stable across runs, so the journal can match a rerun to what ran before. */
  id: string;
  phase: Phase;
  operation: StepOperation;
  /** It removes what the old version may use, or data (src/plan/operation.ts). */
  destructive: boolean;
  /** It only lets more writes succeed. */
  relaxing: boolean;
  /** Another object the step acts on besides its table: a view, a schema. */
  subject?: string;
  table: string;
  description: string;
  sql: string[];
  /** All statements run in one transaction; otherwise each commits on its own (e.g. CONCURRENTLY). */
  transactional: boolean;
  /** The statements run as one group on one session, journaled once all ran, even where DDL cannot share a transaction. */
  together?: true;
  lock: LockInfo;
  estimatedRows: number | null;
  prechecks: Precheck[];
  /** Facts this step makes true (`column:t.c`), and facts it relies on. */
  provides: string[];
  needs: string[];
  /** Data work done in batches by the executor: a backfill or a data move. */
  work?: StepWork;
  /** A raw SQL step's: what the ledger records once its statements all ran, and its declared `down`. */
  raw?: RawStep;
  /**
   * The data work whose checkpoint the step voids before its first statement: rows it fills were
   * written while nothing kept them in step, so a finished fill no longer holds.
   */
  restartsJob?: string;
  /** Data work the step's statements finish (a copy's swap, the backfills its copy did): recorded done after them. */
  finishesJobs?: string[];
  /** Units of work with a REORG-recommended statement it spends on its table (`Capabilities.reorgBudget`). */
  reorgAlters?: number;
}

/** `hash` names the statements that ran; `down` undoes them (shown, never run yet). */
export interface RawStep {
  hash: string;
  down: string[];
}

export type StepWork = { kind: 'backfill'; job: KeyedJob } | { kind: 'data-move'; move: DataMove };

export interface DriftItem {
  table: string;
  object: string;
  detail: string;
}

export interface Plan {
  steps: Step[];
  drift: DriftItem[];
  warnings: string[];
  /** The version schema the release's new version selects (src/diff/version-schemas.ts), when it has one. */
  version?: VersionSelected;
}

/** How the new version reads the release's column types under their declared names. */
export interface VersionSelected {
  schema: string;
  base: string;
  selection: VersionSelection;
  /** In words: `search_path = app_v2, app`, `database app_v2`. */
  select: string;
}

export const stepsOf = (plan: Plan, phase: Phase) => plan.steps.filter((s) => s.phase === phase);
