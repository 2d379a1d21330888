import type { FleetResult } from '../fleet/fleet-commands.js';
import type { RunEvent } from '../execute/events.js';
import type { FleetEvent, TargetOutcome } from '../fleet/run-fleet.js';
import { xmlAttr, xmlText } from '../junit-xml.js';
import { toJson } from './progress.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `ok       cell12   1.2 s  3 step(s)`: one line per target as it finishes. */
export const targetLine = (o: TargetOutcome, width: number) => `${o.state.padEnd(8)} ${o.name.padEnd(width)} ${seconds(o.ms).padStart(8)}  ${o.message}`;

/** The outcome as one JSON line: what `--format json` prints per target. */
export const targetJson = (o: TargetOutcome) => JSON.stringify({ type: 'target', ...o });

/** Where the printer writes: stdout, and stderr (a terminal's width, when it is one). */
export interface FleetStreams {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown; columns?: number };
}

/** A running target's row on the board. */
interface Row {
  phase: string;
  step: string;
  rowsPerSecond: number | null;
  state: string;
}

/** The board redraws at most this often for progress; a target starting or ending redraws at once. */
const REDRAW_MS = 100;

/**
 * What the operator watches: on a terminal, a board of the targets running (target, phase, step,
 * rows/s, state) redrawn in place under the lines of those done; elsewhere a line per target as it
 * finishes. With `--format json`, JSON lines on stdout, and each run's own events on stderr with
 * its target.
 */
export function fleetPrinter(command: string, format: 'text' | 'json' | 'markdown', tty: boolean, width: number, streams: FleetStreams = { out: process.stdout, err: process.stderr }) {
  const { out, err } = streams;
  if (format === 'json') {
    return (e: FleetEvent) => {
      if (e.type === 'target-done') out.write(`${targetJson(e.outcome)}\n`);
      else if (e.type === 'target-event') err.write(`${JSON.stringify({ target: e.target, ...toJson(e.event) })}\n`);
    };
  }
  const running = new Map<string, Row>();
  let drawn = 0;
  let drawnAt = 0;
  // A line wider than the terminal wraps, and moving up by the lines drawn would then miss some.
  // A terminal that reports no size (0 columns under `script`) gets a common width.
  const fit = (line: string) => line.slice(0, Math.max(20, (err.columns || 120) - 1));
  const redraw = (force: boolean) => {
    if (!tty || (!force && Date.now() - drawnAt < REDRAW_MS)) return;
    drawnAt = Date.now();
    const rows = [...running].map(([name, r]) => [name.padEnd(width), r.phase.padEnd(9), (r.rowsPerSecond === null ? '' : r.rowsPerSecond.toLocaleString('en-US')).padStart(9), r.state.padEnd(10), r.step]);
    const lines = rows.length === 0 ? [] : [['target'.padEnd(width), 'phase'.padEnd(9), 'rows/s'.padStart(9), 'state'.padEnd(10), 'step'], ...rows].map((cells) => fit(`  ${cells.join('  ')}`));
    err.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `${l}\x1b[K\n`).join('')}\x1b[J`);
    drawn = lines.length;
  };
  const clear = () => {
    if (tty && drawn > 0) err.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const follow = (row: Row, event: RunEvent) => {
    switch (event.type) {
      case 'phase-start':
        row.phase = event.phase;
        break;
      case 'step-start':
        Object.assign(row, { step: `${event.index + 1}/${event.total} ${event.step.description}`, rowsPerSecond: null, state: 'running' });
        break;
      case 'work-progress':
        Object.assign(row, { rowsPerSecond: event.rowsPerSecond, state: 'running' });
        break;
      case 'blocked':
      case 'lock-retry':
        row.state = 'lock wait';
        break;
      case 'replica-wait':
        row.state = 'lag pause';
        break;
      case 'replica-resumed':
        row.state = 'running';
        break;
    }
  };
  return (e: FleetEvent) => {
    switch (e.type) {
      case 'wave-start':
        clear();
        err.write(`${e.wave}: ${e.targets.length} target(s)\n`);
        break;
      case 'target-start':
        running.set(e.target, { phase: command, step: '', rowsPerSecond: null, state: 'starting' });
        break;
      case 'target-event': {
        const row = running.get(e.target);
        if (row) follow(row, e.event);
        return redraw(false);
      }
      case 'target-done':
        running.delete(e.outcome.name);
        clear();
        out.write(`${targetLine(e.outcome, width)}\n`);
        break;
      case 'stopping':
        clear();
        err.write(`${e.failed} failed: no new target starts; the running ones finish\n`);
        break;
    }
    redraw(true);
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
