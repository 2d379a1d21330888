export { defineSchema, sql, native } from './declaration/define-schema.js';
export { changeType, dataMove, derive, fillColumn, renameColumn, renameConstraint, renameIndex, renameTable } from './declaration/transitions.js';
export { defineConfig, type DbtideConfig } from './config.js';
export { normalizeSchema } from './declaration/normalize.js';
export { DeclarationError } from './declaration/declaration-error.js';
export { diff } from './diff/diff.js';
export { plan as planFromChanges } from './plan/planner.js';
export { guardStatement, PolicyViolation } from './execute/statement-guard.js';
export type { StatementClass, StatementClassifier } from './model/statement-class.js';
export {
  applyPhase,
  check,
  contract,
  expand,
  migrate,
  planChanges,
  pull,
  rollback,
  scan,
  status,
  CHECK_EXIT,
  type Target,
  type Declaration,
  type PhaseOptions,
  type CheckReport,
  type PlanReport,
  type StatusReport,
  type RolloutState,
  type RollbackRequest,
} from './api.js';
export type { RollbackResult } from './rollback/run-rollback.js';
export type { RollbackPlan } from './rollback/rollback-plan.js';
export type { NewData } from './rollback/new-data.js';
export { runFleetCommand as runFleet, FLEET_COMMANDS, type FleetCommand, type FleetRequest, type FleetResult } from './fleet/fleet-commands.js';
export { readFleetFile, type FleetTarget, type FleetFile, type FleetCatalog } from './fleet/fleet-file.js';
export { fleetTargets } from './fleet/catalog.js';
export type { FleetEvent, TargetOutcome, TargetState } from './fleet/run-fleet.js';
export { DbtideError, RunLockHeld } from './errors.js';
export { openDatabase, type Database, type OpenOptions } from './engine.js';
// `applyPhase` is taken by the call that opens a target and runs a phase on it.
export {
  preparePhase,
  applyPhase as applyPreparedPhase,
  type PreparedPhase,
  type PreparePhaseOptions,
  type RunPhaseOptions,
  type RunPhaseResult,
} from './execute/run-phase.js';
export { EarlierPhasePending, PrecheckFailed, StepFailed, type PrecheckFailure } from './execute/outcomes.js';
export { Interrupted } from './execute/interrupted.js';
export { SCAN_EXIT, type ScanOptions, type ScanReport, type ScanEvent } from './scan/run-scan.js';
export type { ScanFinding } from './scan/find-offenders.js';
export type { FixMode, RepairResult } from './scan/repair.js';
export { verifyChain, type VerifyChainOptions } from './verify/verify-chain.js';
export type { ChainReport, ReleaseResult, CheckResult } from './verify/chain-report.js';
export type { RunEvent } from './execute/events.js';
export type { ReplicaLagOptions } from './migrate/replica-lag.js';
export type { Phase, Plan, Step, Precheck } from './plan/step.js';
export type { PrecheckRule } from './model/precheck-rule.js';
export type { Change } from './diff/changes.js';
export type * from './declaration/dsl-types.js';
export type * from './model/schema-model.js';
export type * from './model/transition.js';
