import type { Step } from '../../src/plan/step.js';

const flags = (s: Step) =>
  [s.destructive && 'destructive', s.relaxing && 'relaxing', s.transactional && 'one transaction', s.together && 'together', s.work?.kind]
    .filter(Boolean)
    .join(', ');

const lockOf = (s: Step) =>
  `${s.lock.level}${s.lock.blocksWrites ? ' | BLOCKS WRITES' : ''}${s.lock.rewritesTable ? ' | REWRITES' : ''}`;

/** A plan's steps as reviewable text: phase, id, flags, lock, prechecks and each statement. */
export function renderSteps(steps: Step[]): string {
  return steps
    .map((s) =>
      [
        `${s.phase} ${s.id} (${flags(s) || 'plain'})`,
        `  lock: ${lockOf(s)}${s.estimatedRows === null ? '' : ` | ~${s.estimatedRows} rows`}`,
        ...s.prechecks.map((p) => `  precheck ${p.kind}: ${p.description}`),
        ...s.sql.map((sql) => `  > ${sql.replace(/\s*\n\s*/g, ' ')}`),
      ].join('\n'),
    )
    .join('\n\n') + '\n';
}
