/** Turns the workload's samples into the reported numbers, times the bench's steps, and prints the result table. */
import { performance } from 'node:perf_hooks';
import type { Sample } from './workload.js';

export const secondsSince = (started: number) => (performance.now() - started) / 1000;

/** Runs `work` and logs how long it took under `label`. */
export async function timed<T>(log: (message: string) => void, label: string, work: () => Promise<T>): Promise<{ value: T; s: number }> {
  const started = performance.now();
  const value = await work();
  const s = secondsSince(started);
  log(`${label}: ${s.toFixed(2)} s`);
  return { value, s };
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export function summarize(samples: Sample[]) {
  const ms = samples.map((s) => s.ms);
  const slowest = samples.reduce<Sample | null>((a, s) => (a === null || s.ms > a.ms ? s : a), null);
  return {
    ops: samples.length,
    errors: samples.filter((s) => s.failed).length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: slowest?.ms ?? 0,
    slowest,
  };
}

export interface Row {
  metric: string;
  value: string | number | boolean;
  target?: string;
  pass?: boolean;
}

export function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.metric,
    typeof r.value === 'number' ? r.value.toLocaleString('en-US') : String(r.value),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS',
  ]);
  const header = ['metric', 'value', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 1 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  const missed = rows.filter((r) => r.pass === false).map((r) => r.metric);
  console.log(missed.length === 0 ? '\nAll targets met.' : `\nMISSED ${missed.length} target(s): ${missed.join(', ')}`);
}
