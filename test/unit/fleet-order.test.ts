import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFleet, fleetOf, targetUrl, type FleetTarget } from '../../src/fleet/fleet-file.js';
import { parseShard, shardOf, waves } from '../../src/fleet/fleet-order.js';

const fleet = (n: number, group?: (i: number) => string | undefined): FleetTarget[] =>
  Array.from({ length: n }, (_, i) => ({ name: `cell${i + 1}`, url: `postgres://h/c${i + 1}`, ...(group?.(i) ? { group: group(i)! } : {}) }));
const names = (targets: FleetTarget[]) => targets.map((t) => t.name);

describe('fleet: the order targets run in', () => {
  it('runs every target in one wave, in file order, without a canary or stages', () => {
    expect(waves(fleet(3), {}).map((w) => [w.label, names(w.targets), w.alone])).toEqual([['all', ['cell1', 'cell2', 'cell3'], false]]);
  });

  it('runs canaries first and alone, by count or by name, then the stages in order, then the rest', () => {
    const targets = fleet(6, (i) => (i % 3 === 0 ? 'eu' : i % 3 === 1 ? 'us' : undefined));
    expect(waves(targets, { canary: 1, stages: ['us', 'eu'] }).map((w) => [w.label, names(w.targets), w.alone])).toEqual([
      ['canary', ['cell1'], true],
      ['stage us', ['cell2', 'cell5'], false],
      ['stage eu', ['cell4'], false],
      ['the rest', ['cell3', 'cell6'], false],
    ]);
    expect(names(waves(targets, { canary: ['cell5', 'cell2'] })[0]!.targets)).toEqual(['cell2', 'cell5']);
  });

  it('takes only the targets named, and refuses names and groups the fleet does not have', () => {
    expect(waves(fleet(4), { only: ['cell4', 'cell2'] }).flatMap((w) => names(w.targets))).toEqual(['cell2', 'cell4']);
    expect(() => waves(fleet(2), { only: ['cell9'] })).toThrow(/no fleet target named cell9/);
    expect(() => waves(fleet(2), { canary: ['cell7'] })).toThrow(/no fleet target named cell7/);
    expect(() => waves(fleet(2), { stages: ['apac'] })).toThrow(/--stage names group\(s\) no target has: apac/);
  });

  it('partitions the fleet into disjoint shards that cover it, each target in the same shard whatever else is listed', () => {
    const all = fleet(500);
    const shards = [1, 2, 3, 4, 5, 6, 7].map((index) => waves(all, { shard: { index, count: 7 } }).flatMap((w) => names(w.targets)));
    expect(shards.flat().sort()).toEqual(names(all).sort());
    expect(new Set(shards.flat()).size).toBe(500);
    for (const shard of shards) expect(shard.length).toBeGreaterThan(40);
    expect(shardOf('cell42', 7)).toBe(shardOf('cell42', 7));
    const fewer = waves(all.slice(0, 100), { shard: { index: 3, count: 7 } }).flatMap((w) => names(w.targets));
    expect(fewer).toEqual(shards[2]!.filter((n) => fewer.includes(n)));
    expect(fewer.every((n) => shards[2]!.includes(n))).toBe(true);
  });

  it('reads --shard as i/n counted from 1', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    for (const bad of ['0/4', '5/4', '1/0', 'x/2', '2']) expect(() => parseShard(bad)).toThrow(/--shard needs i\/n/);
  });
});

describe('fleet file', () => {
  it('takes targets with a url or a variable naming one, and a catalog query', () => {
    expect(checkFleet({ targets: [{ name: 'a', url: 'postgres://h/a' }, { name: 'b', urlEnv: 'B_URL', group: 'eu' }], catalog: { urlEnv: 'API', query: 'SELECT name, url FROM cells' } }, 'f')).toEqual({
      targets: [{ name: 'a', url: 'postgres://h/a' }, { name: 'b', urlEnv: 'B_URL', group: 'eu' }],
      catalog: { urlEnv: 'API', query: 'SELECT name, url FROM cells' },
    });
  });

  it('names every problem by its path, and never prints a URL', () => {
    const data = { targets: [{ name: 'a', url: 'postgres://u:s3cret@h/a', urlEnv: 'A' }, { name: '' , url: 'x' }, { name: 'c', urlEnv: 'C', port: 5 }, { name: 'c', url: 'y' }], extra: 1 };
    let message = '';
    try {
      checkFleet(data, 'fleet file fleet.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('unknown key(s) extra');
    expect(message).toContain('targets[0]: exactly one of url and urlEnv');
    expect(message).toContain('targets[1].name: a non-empty name is required');
    expect(message).toContain('targets[2]: unknown key(s) port');
    expect(message).toContain('the name c is listed twice');
    expect(message).not.toContain('s3cret');
    expect(() => checkFleet({}, 'f')).toThrow(/no targets and no catalog/);
  });

  it('reads a target URL from its variable, naming the variable when unset', () => {
    expect(targetUrl({ name: 'b', urlEnv: 'B_URL' }, { B_URL: 'postgres://h/b' })).toBe('postgres://h/b');
    expect(() => targetUrl({ name: 'b', urlEnv: 'B_URL' }, {})).toThrow(/fleet target b: B_URL is not set/);
  });

  it('comes from --fleet, else the config (a file beside it, or the file\'s content), else a fleet file in the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbtide-fleet-'));
    try {
      const file = (name: string, names: string[]) => {
        writeFileSync(join(dir, name), JSON.stringify({ targets: names.map((n) => ({ name: n, urlEnv: 'X' })) }));
        return join(dir, name);
      };
      const names = (f: { targets: FleetTarget[] }) => f.targets.map((t) => t.name);
      file('fleet.json', ['here']);
      const cells = file('cells.json', ['cell1', 'cell2']);
      const flag = file('flag.json', ['flagged']);
      expect(names(fleetOf(undefined, {}, dir))).toEqual(['here']);
      expect(names(fleetOf(undefined, { file: 'dbtide.config.ts', fleet: cells }, dir))).toEqual(['cell1', 'cell2']);
      expect(names(fleetOf(undefined, { file: 'dbtide.config.ts', fleet: { targets: [{ name: 'inline', url: 'postgres://h/a' }] } }, dir))).toEqual(['inline']);
      expect(names(fleetOf(flag, { file: 'dbtide.config.ts', fleet: cells }, dir))).toEqual(['flagged']);
      // A variable the config reads that is unset leaves url undefined: named, as in a file.
      expect(() => fleetOf(undefined, { file: '/app/dbtide.config.ts', fleet: { targets: [{ name: 'c1', url: undefined } as unknown as FleetTarget] } }, dir)).toThrow(
        /\/app\/dbtide\.config\.ts: fleet is invalid:\n {2}targets\[0\]: exactly one of url and urlEnv/,
      );
      rmSync(join(dir, 'fleet.json'));
      expect(() => fleetOf(undefined, {}, dir)).toThrow(/no fleet file: no --fleet, no fleet in dbtide\.config\.ts, and none of fleet\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
