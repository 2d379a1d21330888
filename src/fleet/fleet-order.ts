import { createHash } from 'node:crypto';
import { DbtideError } from '../errors.js';
import type { FleetTarget } from './fleet-file.js';

/** A group of targets that finishes before the next one starts; `alone`: one at a time. */
export interface Wave {
  label: string;
  targets: FleetTarget[];
  alone: boolean;
}

export interface Selection {
  /** Only these names. */
  only?: string[];
  /** This runner's share: `index` from 1 to `count`. */
  shard?: { index: number; count: number };
  /** Names, or how many of the first targets, to run first and alone. */
  canary?: string[] | number;
  /** Groups in the order they run, after the canaries; targets of no listed group run last. */
  stages?: string[];
}

/** `i/n`, 1-based as CI matrices count (a Kubernetes Indexed Job's index is 0-based: add one). */
export function parseShard(value: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new DbtideError(`--shard needs i/n with 1 <= i <= n, e.g. --shard 2/8, got "${value}"`, 1);
  return { index, count };
}

/**
 * Which shard a target belongs to, by a hash of its name: the same on every runner, and a target
 * keeps its shard when others join or leave the fleet.
 */
export const shardOf = (name: string, count: number) => (createHash('sha256').update(name).digest().readUInt32BE(0) % count) + 1;

/** The targets this run takes, in waves: canaries alone, then each stage, then the rest; each in fleet-file order. */
export function waves(all: FleetTarget[], selection: Selection): Wave[] {
  const names = new Set(all.map((t) => t.name));
  const unknown = [...(selection.only ?? []), ...(Array.isArray(selection.canary) ? selection.canary : [])].filter((n) => !names.has(n));
  if (unknown.length > 0) throw new DbtideError(`no fleet target named ${unknown.join(', ')}`, 1, `targets: ${[...names].slice(0, 20).join(', ')}${names.size > 20 ? ', ...' : ''}`);
  const groups = new Set(all.flatMap((t) => (t.group ? [t.group] : [])));
  const noGroup = (selection.stages ?? []).filter((g) => !groups.has(g));
  if (noGroup.length > 0) throw new DbtideError(`--stage names group(s) no target has: ${noGroup.join(', ')}`, 1, `groups: ${[...groups].join(', ') || 'none'}`);
  const { shard } = selection;
  let left = all.filter((t) => (!selection.only || selection.only.includes(t.name)) && (!shard || shardOf(t.name, shard.count) === shard.index));
  const result: Wave[] = [];
  const take = (label: string, picked: FleetTarget[], alone = false) => {
    if (picked.length === 0) return;
    result.push({ label, targets: picked, alone });
    left = left.filter((t) => !picked.includes(t));
  };
  const { canary } = selection;
  if (canary !== undefined) take('canary', typeof canary === 'number' ? left.slice(0, canary) : left.filter((t) => canary.includes(t.name)), true);
  for (const stage of selection.stages ?? []) take(`stage ${stage}`, left.filter((t) => t.group === stage));
  take(selection.stages?.length ? 'the rest' : 'all', left);
  return result;
}
