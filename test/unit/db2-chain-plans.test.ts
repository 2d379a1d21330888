/**
 * The example chain planned for Db2 without a server, release by release (each from the one before,
 * the first as a fresh install): the whole plan kept as text under test/unit/plans/db2-chain/, so
 * any change to what Db2 would run is a reviewed diff (`npx vitest run -u` rewrites them).
 */
import { describe, expect, it } from 'vitest';
import { loadChain } from '../../src/declaration/load-schema.js';
import { offlineTarget } from '../../src/offline/dialect-spec.js';
import { planOffline } from '../../src/offline/plan-offline.js';
import { renderSteps } from '../support/render-steps.js';

const chain = await loadChain('migrations');
const target = await offlineTarget('db2@11.5');

describe.each(chain.map((c, i) => ({ release: c.declared.release, declared: c.declared, previous: chain[i - 1]?.declared })))('$release on Db2 11.5', ({ release, declared, previous }) => {
  it('matches its reviewed plan', async () => {
    await expect(renderSteps(planOffline(target, declared, previous).steps)).toMatchFileSnapshot(`plans/db2-chain/${release}.txt`);
  });
});

describe('004-liberty on Db2', () => {
  const liberty = chain.find((c) => c.declared.release === '004-liberty')!.declared;
  const kilo = chain.find((c) => c.declared.release === '003-kilo')!.declared;
  const steps = planOffline(target, liberty, kilo).steps;
  const at = (id: string) => {
    const i = steps.findIndex((s) => s.id === id);
    if (i === -1) throw new Error(`no step ${id} in ${steps.map((s) => s.id).join(', ')}`);
    return i;
  };

  it('orders NOT NULL -> REORG -> UNIQUE -> foreign keys on instances.uuid, all in contract', () => {
    const notNull = at('set-not-null:instances.uuid');
    const reorg = at('reorg-table:instances');
    const unique = at('add-unique:instances.uniq_instances0uuid');
    const fks = steps.flatMap((s, i) => (s.operation === 'add-foreign-key' ? [i] : []));
    expect(fks).toHaveLength(11);
    expect(notNull).toBeLessThan(reorg);
    expect(reorg).toBeLessThan(unique);
    for (const fk of fks) expect(unique).toBeLessThan(fk);
    expect(new Set(steps.map((s) => s.phase))).toEqual(new Set(['contract']));
  });

  it('reorganizes each table it sets NOT NULL on once, flagged as blocking writes', () => {
    const reorgs = steps.filter((s) => s.operation === 'reorg-table');
    const altered = [...new Set(steps.filter((s) => s.reorgAlters).map((s) => s.table))].sort();
    expect(reorgs.map((s) => s.table).sort()).toEqual(altered);
    expect(altered).toContain('instances');
    for (const r of reorgs) expect(r.lock.blocksWrites).toBe(true);
  });

  it('leaves fixed_ips.instance_uuid alone: NULL by design', () => {
    expect(steps.filter((s) => s.table === 'fixed_ips')).toEqual([]);
  });
});
