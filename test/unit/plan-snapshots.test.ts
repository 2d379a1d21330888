/**
 * The whole plan of one change of every kind, per capability set, as text under
 * test/unit/plans/: any change to a step's phase, order, flags, lock or SQL shows up in review as
 * a diff of that file (`npx vitest run -u test/unit/plan-snapshots.test.ts` rewrites them).
 */
import { describe, expect, it } from 'vitest';
import { SERVERS, stepsOn } from '../support/every-change.js';
import { renderSteps } from '../support/render-steps.js';

describe.each(SERVERS)('the plan on $name', (server) => {
  it('matches its snapshot', async () => {
    const file = `plans/${server.name.toLowerCase().replace(/\W+/g, '-')}.txt`;
    await expect(renderSteps(stepsOn(server))).toMatchFileSnapshot(file);
  });
});
