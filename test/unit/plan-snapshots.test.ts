/**
 * The whole plan of one change of every kind, per capability set, as text under
 * test/unit/plans/: any change to a step's phase, order, flags, lock or SQL shows up in review as
 * a diff of that file (`npx vitest run -u test/unit/plan-snapshots.test.ts` rewrites them).
 */
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/plan/step.js';
import { SERVERS, stepsOn } from '../support/every-change.js';

const flags = (s: Step) =>
  [s.destructive && 'destructive', s.relaxing && 'relaxing', s.transactional && 'one transaction', s.together && 'together', s.work?.kind]
    .filter(Boolean)
    .join(', ');

const lockOf = (s: Step) =>
  `${s.lock.level}${s.lock.blocksWrites ? ' | BLOCKS WRITES' : ''}${s.lock.rewritesTable ? ' | REWRITES' : ''}`;

function render(steps: Step[]): string {
  return steps
    .map((s) =>
      [
        `${s.phase} ${s.id} (${flags(s) || 'plain'})`,
        `  lock: ${lockOf(s)}`,
        ...s.prechecks.map((p) => `  precheck ${p.kind}: ${p.description}`),
        ...s.sql.map((sql) => `  > ${sql.replace(/\s*\n\s*/g, ' ')}`),
      ].join('\n'),
    )
    .join('\n\n') + '\n';
}

describe.each(SERVERS)('the plan on $name', (server) => {
  it('matches its snapshot', async () => {
    const file = `plans/${server.name.toLowerCase().replace(/\W+/g, '-')}.txt`;
    await expect(render(stepsOn(server))).toMatchFileSnapshot(file);
  });
});
