import type { FleetResult } from '../fleet/fleet-commands.js';
import type { FleetEvent, TargetOutcome } from '../fleet/run-fleet.js';
import { xmlAttr, xmlText } from '../junit-xml.js';
import { toJson } from './progress.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `ok       cell12   1.2 s  3 step(s)`: one line per target as it finishes. */
export const targetLine = (o: TargetOutcome, width: number) => `${o.state.padEnd(8)} ${o.name.padEnd(width)} ${seconds(o.ms).padStart(8)}  ${o.message}`;

/** The outcome as one JSON line: what `--format json` prints per target. */
export const targetJson = (o: TargetOutcome) => JSON.stringify({ type: 'target', ...o });

/**
 * What the operator watches: on a terminal, a board of the targets running (their step and rows/s)
 * redrawn in place under the lines of those done; elsewhere a line per target as it finishes. With
 * `--format json`, JSON lines on stdout, and each run's own events on stderr with its target.
 */
export function fleetPrinter(format: 'text' | 'json' | 'markdown', tty: boolean, width: number) {
  if (format === 'json') {
    return (e: FleetEvent) => {
      if (e.type === 'target-done') process.stdout.write(`${targetJson(e.outcome)}\n`);
      else if (e.type === 'target-event') process.stderr.write(`${JSON.stringify({ target: e.target, ...toJson(e.event) })}\n`);
    };
  }
  const running = new Map<string, string>();
  let drawn = 0;
  const redraw = () => {
    if (!tty) return;
    const lines = [...running].map(([name, doing]) => `  ${name.padEnd(width)} ${doing}`);
    process.stderr.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `${l}\x1b[K\n`).join('')}\x1b[J`);
    drawn = lines.length;
  };
  const clear = () => {
    if (tty && drawn > 0) process.stderr.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  return (e: FleetEvent) => {
    switch (e.type) {
      case 'wave-start':
        clear();
        process.stderr.write(`${e.wave}: ${e.targets.length} target(s)\n`);
        break;
      case 'target-start':
        running.set(e.target, 'starting');
        break;
      case 'target-event': {
        const { event } = e;
        if (event.type === 'step-start') running.set(e.target, `${event.index + 1}/${event.total} ${event.step.description}`);
        if (event.type === 'work-progress') running.set(e.target, `${event.step.description}: ${event.rowsDone.toLocaleString('en-US')} rows, ${event.rowsPerSecond.toLocaleString('en-US')} rows/s`);
        break;
      }
      case 'target-done':
        running.delete(e.outcome.name);
        clear();
        process.stdout.write(`${targetLine(e.outcome, width)}\n`);
        break;
      case 'stopping':
        clear();
        process.stderr.write(`${e.failed} failed: no new target starts; the running ones finish\n`);
        break;
    }
    redraw();
  };
}

/** The end of the run: counts, the failures, the slowest targets; for check, where the targets stand. */
export function fleetSummary(r: FleetResult): string {
  const lines = [`fleet ${r.command}: ${r.ok} ok, ${r.failed} failed, ${r.skipped} skipped, ${r.notRun} not run, in ${seconds(r.ms)}`];
  for (const o of r.outcomes.filter((x) => x.state === 'failed')) lines.push(`  failed: ${o.name}: ${o.message}`);
  if (r.distribution) for (const [label, n] of Object.entries(r.distribution).sort()) lines.push(`  ${String(n).padStart(5)}  ${label}`);
  const slowest = r.outcomes.filter((o) => o.state === 'ok').sort((a, b) => b.ms - a.ms).slice(0, 5);
  if (slowest.length > 1) lines.push(`  slowest: ${slowest.map((o) => `${o.name} ${seconds(o.ms)}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export const fleetSummaryJson = (r: FleetResult) =>
  JSON.stringify({ type: 'summary', command: r.command, ok: r.ok, failed: r.failed, skipped: r.skipped, notRun: r.notRun, ms: r.ms, exitCode: r.exitCode, ...(r.distribution ? { distribution: r.distribution } : {}) });

/** JUnit XML: a suite per fleet run, a case per target; not run counts as skipped. */
export function fleetJunit(r: FleetResult): string {
  const cases = r.outcomes.map((o) => {
    const open = `    <testcase classname="${xmlAttr(`dbtide.fleet.${r.command}`)}" name="${xmlAttr(o.name)}" time="${(o.ms / 1000).toFixed(3)}"`;
    if (o.state === 'failed') return `${open}>\n      <failure message="${xmlAttr(o.message)}">${xmlText(o.message)}</failure>\n    </testcase>`;
    if (o.state === 'not-run' || o.state === 'skipped') return `${open}>\n      <skipped message="${xmlAttr(o.message)}"/>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dbtide fleet ${xmlAttr(r.command)}" tests="${r.outcomes.length}" failures="${r.failed}" time="${(r.ms / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlAttr(`fleet ${r.command}`)}" tests="${r.outcomes.length}" failures="${r.failed}" skipped="${r.skipped + r.notRun}" time="${(r.ms / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
