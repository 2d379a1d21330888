import type { VersionSelection } from '../dialect.js';
import type { BackfillJob, SyncSpec } from '../dialect.js';
import type { IndexKey } from '../model/index-entry.js';
import type { CheckModel, ForeignKeyModel } from '../model/schema-model.js';
import type { StepOperation } from './operation.js';
import type { DataMove } from '../model/transition.js';

export const PHASES = ['expand', 'migrate', 'contract'] as const;
export type Phase = (typeof PHASES)[number];

export const phaseIndex = (phase: Phase) => PHASES.indexOf(phase);
export const laterPhase = (a: Phase, b: Phase): Phase => (phaseIndex(a) >= phaseIndex(b) ? a : b);

/**
 * What a precheck requires of every row. Plain data: the dialect renders it against the live
 * primary key when the scan runs (which tells duplicates apart and names offending rows).
 */
export type PrecheckRule =
  | { kind: 'not-null'; columns: string[] }
  /** Keys as in an index, read against the table's columns; `where` restricts to a partial index's rows. */
  | { kind: 'unique'; keys: IndexKey[]; where: string | null }
  | { kind: 'foreign-key'; foreignKey: ForeignKeyModel }
  | { kind: 'check'; check: CheckModel }
  /** A transition's new columns agree with its forward expressions; `--force` may override it. */
  /** `exact`: every row holds the forward expressions' values; else only: no row is left empty. */
  | { kind: 'verification'; sync: SyncSpec; exact: boolean };

export type PrecheckKind = PrecheckRule['kind'];

/** A scan that must find no offending rows before a tightening step may run. */
export interface Precheck {
  kind: PrecheckKind;
  table: string;
  columns: string[];
  /** What must hold, e.g. `instances.uuid has no NULL`. */
  description: string;
  rule: PrecheckRule;
}

/** Rules a row breaks on its own (not through other rows): they can be scanned in key ranges. */
export const isRowLocal = (rule: PrecheckRule) => rule.kind !== 'unique';

/** How a step locks the table: what an operator needs to judge it. */
export interface LockInfo {
  /** The strongest lock taken, in the dialect's words. */
  level: string;
  /** True when concurrent writes wait for longer than an instant. */
  blocksWrites: boolean;
  /** True when the whole table is rewritten or scanned under that lock. */
  rewritesTable: boolean;
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
}

export type StepWork = { kind: 'backfill'; job: BackfillJob } | { kind: 'data-move'; move: DataMove };

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
