import { relative } from 'node:path';
import { loadChain } from '../declaration/load-schema.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import { overlongComments } from '../plan/comment-limits.js';
import { unsupportedConstraintFeatures } from '../plan/constraint-features.js';
import { foreignKeyProblems } from '../plan/foreign-key-rules.js';
import { unbuildableIndexOptions } from '../plan/index-options.js';
import { schemaWideNameClashes } from '../plan/name-scopes.js';
import { declaredOperatorClasses } from '../plan/operator-classes.js';
import { declaredReplicaIdentities } from '../plan/replica-identity.js';
import { unsupportedSchemaObjects } from '../plan/schema-objects.js';
import { serverLimitProblems } from '../plan/server-limits.js';
import type { Plan } from '../plan/step.js';
import type { OfflineTarget } from './dialect-spec.js';
import { planOffline } from './plan-offline.js';

export interface LintFinding {
  /** The release file, relative to the working directory. */
  file: string;
  /** The dialect and version it breaks, as the capability table names it (`Db2 11.5`). */
  server: string;
  /** `<path in the release>: <what is wrong and what to declare>`. */
  problem: string;
}

export interface LintReport {
  releases: string[];
  servers: string[];
  findings: LintFinding[];
}

/** What the declaration alone asks of a server that it does not have: the plan-time refusals, every one of them. */
function declarationProblems(declared: DeclaredSchema, target: OfflineTarget): string[] {
  const { caps, dialect } = target;
  return [
    ...schemaWideNameClashes(declared.model.tables, caps, dialect.runtime.schemaNoun),
    ...foreignKeyProblems(declared.model.tables, caps),
    ...serverLimitProblems(declared, caps),
    ...(caps.operatorClasses ? [] : declaredOperatorClasses(declared)),
    ...unbuildableIndexOptions(declared, caps),
    ...(caps.replicaIdentity ? [] : declaredReplicaIdentities(declared)),
    ...overlongComments(declared, caps),
    ...unsupportedSchemaObjects(declared, caps),
    ...unsupportedConstraintFeatures(declared, caps),
  ];
}

/** A table its contract must reorganize more than once: its REORG-recommended ALTERs overran the budget, or other steps came between. */
function reorgProblems(plan: Plan, target: OfflineTarget): string[] {
  const reorganized = new Map<string, number>();
  for (const s of plan.steps) if (s.operation === 'reorg-table') reorganized.set(s.table, (reorganized.get(s.table) ?? 0) + 1);
  return [...reorganized].flatMap(([table, times]) =>
    times > 1
      ? [`tables.${table}: contract reorganizes ${table} ${times} times on ${target.caps.server} (each REORG blocks writes to it): its REORG-recommended changes (DROP COLUMN, SET/DROP NOT NULL, SET DATA TYPE) exceed ${target.caps.reorgBudget} per reorganization or are split by other changes to it; move some to the next release`]
      : [],
  );
}

/** A refusal's lines, each one finding; a refusal of another shape is one finding. */
const refusalLines = (error: DbtideError) => {
  const listed = error.message.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
  return listed.length > 0 ? listed : [error.message];
};

/**
 * Checks a release chain against each target's rules without connecting: each release's declaration,
 * and the plan of its upgrade from the release before it (the first from a fresh install), as a
 * server of that dialect and version would refuse or plan them. A problem the next release still
 * has is reported once, with the file that brought it.
 */
export async function lintChain(dir: string, targets: OfflineTarget[]): Promise<LintReport> {
  const chain = await loadChain(dir);
  const findings: LintFinding[] = [];
  for (const target of targets) {
    let previous: DeclaredSchema | undefined;
    // A problem a release inherits from the one before is reported once, at the release that brought it.
    let inherited = new Set<string>();
    for (const { file, declared } of chain) {
      const seen = new Set<string>();
      const add = (problem: string) => {
        seen.add(problem);
        if (!inherited.has(problem)) findings.push({ file: relative(process.cwd(), file) || file, server: target.caps.server, problem });
      };
      const problems = declarationProblems(declared, target);
      problems.forEach(add);
      if (problems.length === 0) {
        try {
          reorgProblems(planOffline(target, declared, previous), target).forEach(add);
        } catch (error) {
          if (!(error instanceof DbtideError)) throw error;
          refusalLines(error).forEach(add);
        }
      }
      previous = declared;
      inherited = seen;
    }
  }
  return { releases: chain.map((c) => c.declared.release), servers: targets.map((t) => t.caps.server), findings };
}
