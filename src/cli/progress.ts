import type { EventSink, RunEvent } from '../execute/events.js';

/** Progress goes to stderr so stdout stays clean for `--format json` results. */
export function progressPrinter(format: 'text' | 'json' | 'markdown', write = (s: string) => process.stderr.write(s)): EventSink {
  if (format === 'json') return (event) => write(`${JSON.stringify(toJson(event))}\n`);
  return (event) => {
    const line = textLine(event);
    if (line) write(`${line}\n`);
  };
}

function toJson(event: RunEvent) {
  switch (event.type) {
    case 'phase-start': return { type: event.type, phase: event.phase, steps: event.steps.length, dryRun: event.dryRun };
    case 'step-start': return { type: event.type, step: event.step.id, index: event.index, total: event.total };
    case 'step-done': return { type: event.type, step: event.step.id, ms: event.ms };
    case 'statement': return { type: event.type, step: event.step.id, sql: event.sql };
    case 'lock-retry': return { type: event.type, step: event.step.id, attempt: event.attempt, waitMs: event.waitMs };
    case 'precheck': return { type: event.type, table: event.precheck.table, check: event.precheck.description, offending: event.offending };
    default: return event;
  }
}

function textLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'resumed': return `resuming: ${event.interruptedRuns} earlier run(s) stopped before finishing`;
    case 'phase-start':
      return `${event.phase}${event.dryRun ? ' (dry run: nothing is written)' : ''}: ${event.steps.length === 0 ? 'nothing to do' : `${event.steps.length} step(s)`}`;
    case 'precheck': return `  precheck ${event.offending === 0 ? 'ok  ' : 'FAIL'} ${event.precheck.description}${event.offending ? ` (${event.offending} row(s))` : ''}`;
    case 'step-start': return `  [${event.index + 1}/${event.total}] ${event.step.description}`;
    case 'lock-retry': return `      lock wait timed out; retry ${event.attempt} in ${event.waitMs} ms`;
    case 'step-done': return `      done in ${event.ms} ms`;
    case 'phase-done': return `${event.phase} done: ${event.steps} step(s) in ${event.ms} ms`;
    default: return null;
  }
}
