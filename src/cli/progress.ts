import type { EventSink, RunEvent, RunEventBody } from '../execute/events.js';
import { describeHolder } from '../model/locks.js';

type WorkProgress = Extract<RunEventBody, { type: 'work-progress' }>;

/**
 * Progress goes to stderr so stdout stays clean for `--format json` results. On a terminal, data
 * work shows one bar redrawn in place; elsewhere (logs, CI) it prints a line per batch.
 */
export function progressPrinter(
  format: 'text' | 'json' | 'markdown',
  options: { tty?: boolean; write?: (s: string) => void } = {},
): EventSink {
  const write = options.write ?? ((s: string) => process.stderr.write(s));
  if (format === 'json') return (event) => write(`${JSON.stringify(toJson(event))}\n`);
  let barShown = false;
  return (event) => {
    if (event.type === 'work-progress' && options.tty) {
      write(`\r${progressBar(event)}\x1b[K`);
      barShown = true;
      return;
    }
    if (barShown) {
      write('\n');
      barShown = false;
    }
    const line = textLine(event);
    if (line) write(`${line}\n`);
  };
}

/** `[#####-----] 52% 520,000/1,000,000 rows 312,000 rows/s ETA 2s`; without a total, no bar. */
export function progressBar(p: WorkProgress, width = 30): string {
  const rows = `${p.rowsDone.toLocaleString('en-US')}`;
  const rate = `${p.rowsPerSecond.toLocaleString('en-US')} rows/s`;
  if (!p.totalRows || p.totalRows <= 0) return `      ${rows} rows  ${rate}`;
  const share = Math.min(1, p.rowsDone / p.totalRows);
  const filled = Math.round(share * width);
  const left = Math.max(0, p.totalRows - p.rowsDone);
  const eta = p.rowsPerSecond > 0 ? formatDuration(left / p.rowsPerSecond) : '?';
  return `      [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${rows}/~${p.totalRows.toLocaleString('en-US')} rows  ${rate}  ETA ${eta}`;
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An event as `--format json` prints it, without its target. */
export function toJson(event: RunEvent) {
  switch (event.type) {
    case 'phase-start': return { type: event.type, phase: event.phase, steps: event.steps.length, dryRun: event.dryRun };
    case 'step-start': return { type: event.type, step: event.step.id, index: event.index, total: event.total };
    case 'step-done': return { type: event.type, step: event.step.id, ms: event.ms };
    case 'statement': return { type: event.type, step: event.step.id, sql: event.sql };
    case 'lock-retry': return { type: event.type, step: event.step.id, attempt: event.attempt, waitMs: event.waitMs, holders: event.holders };
    case 'blocked': return { type: event.type, step: event.step.id, waitedMs: event.waitedMs, holders: event.holders };
    case 'precheck': return { type: event.type, table: event.precheck.table, check: event.precheck.description, offending: event.offending, sample: event.sample };
    case 'work-progress':
      return {
        type: 'progress', step: event.step.id, rowsDone: event.rowsDone, batchRows: event.batchRows, batchMs: event.batchMs, nextBatch: event.nextBatch,
        rowsPerSecond: event.rowsPerSecond, totalRows: event.totalRows,
      };
    default: {
      // One printer serves one database: the target would repeat on every line.
      const { target: _target, ...rest } = event;
      return rest;
    }
  }
}

function textLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'resumed': return `resuming: ${event.interruptedRuns} earlier run(s) stopped before finishing`;
    case 'notice': return `note: ${event.message}`;
    case 'phase-start':
      return `${event.phase}${event.dryRun ? ' (dry run: nothing is written)' : ''}: ${event.steps.length === 0 ? 'nothing to do' : `${event.steps.length} step(s)`}`;
    case 'precheck': return `  precheck ${event.offending === 0 ? 'ok  ' : 'FAIL'} ${event.precheck.description}${event.offending ? ` (${event.offending} row(s))` : ''}`;
    case 'step-start': return `  [${event.index + 1}/${event.total}] ${event.step.description}`;
    case 'blocked':
      return `      waiting ${Math.round(event.waitedMs / 1000)} s for other sessions to release ${event.step.table} (nothing queued)${event.holders.map((h) => `\n        held by ${describeHolder(h)}`).join('')}`;
    case 'lock-retry':
      return `      lock wait timed out; retry ${event.attempt} in ${event.waitMs} ms${event.holders.map((h) => `\n        held by ${describeHolder(h)}`).join('')}`;
    case 'work-progress': return progressBar(event);
    case 'step-done': return `      done in ${event.ms} ms`;
    case 'replica-wait':
      return `      waiting for replica ${event.replica}: ${event.lagMs === null ? `lag unknown (${event.reason ?? 'no reading'})` : `${count(event.lagMs)} ms behind`}, limit ${count(event.limitMs)} ms`;
    case 'replica-resumed': return `      replicas within the lag limit again after ${count(event.waitedMs)} ms: going on`;
    case 'phase-done':
      return event.moreToDo
        ? `${event.phase} paused at the row limit: run it again to go on (exit code 3)`
        : `${event.phase} done: ${event.steps} step(s) in ${event.ms} ms`;
    default: return null;
  }
}
