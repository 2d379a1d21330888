import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { rollback } from '../../api.js';
import { DbtideError } from '../../errors.js';
import type { RollbackPlan } from '../../rollback/rollback-plan.js';
import type { RollbackResult } from '../../rollback/run-rollback.js';
import { connectionOptions, lockOptions, retryOf, targetOf } from '../common.js';
import { stopOnSignals } from '../interrupt.js';
import { progressPrinter } from '../progress.js';
import { numberFlag, resolveUrl, type CommonFlags } from '../resolve.js';
import { interactive } from './phase.js';

interface RollbackFlags extends CommonFlags {
  to?: string;
  discardNewData?: boolean;
  archive?: boolean;
}

export function registerRollback(program: Command): void {
  lockOptions(
    connectionOptions(
      program
        .command('rollback')
        .description('withdraw the release last expanded (and migrated), before its contract: drop the triggers, views, indexes, constraints, columns and tables its expand created, and give renamed tables their old names back'),
    ),
    'a step',
  )
    .option('--to <release file>', 'the release to go back to (default: the one before the release last expanded, in the migrations folder)')
    .option('--dry-run', 'print the plan and its SQL, change nothing (no ledger, no lock)')
    .option('--yes', 'confirm, without a prompt, dropping what the withdrawn release created')
    .option('--discard-new-data', 'drop tables and columns although they hold rows that only the withdrawn release has')
    .option('--archive', 'copy those rows into shadow_<table> first')
    .option('--max-blocked <seconds>', 'how long a step may wait in all while other sessions hold a lock on its table (default 300)', numberFlag('--max-blocked'))
    .action(async (flags: RollbackFlags) => {
      const resolved = await resolveUrl(flags);
      const stop = stopOnSignals();
      const result = await rollback(targetOf(resolved, flags), {
        ...(flags.to === undefined ? {} : { to: resolve(flags.to) }),
        chain: resolved.config.migrations ?? 'migrations',
        dryRun: flags.dryRun ?? false,
        discardNewData: flags.discardNewData ?? false,
        archive: flags.archive ?? false,
        retry: retryOf(flags, resolved),
        ...(flags.wait === undefined ? {} : { runLockWaitMs: flags.wait * 1000 }),
        signal: stop.signal,
        confirm: (plan) => confirmRollback(plan, flags),
        onEvent: progressPrinter(flags.format, { tty: Boolean(process.stderr.isTTY) }),
      }).finally(stop.dispose);
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(rollbackJson(result), null, 2)}\n`);
      else process.stdout.write(rollbackText(result, flags.format === 'markdown'));
    });
}

/** Asks before the drops: at the prompt on a terminal, else by --yes. */
async function confirmRollback(plan: RollbackPlan, flags: RollbackFlags): Promise<void> {
  if (flags.yes) return;
  const list = plan.steps.map((s) => `  - ${s.description}`).join('\n');
  const what = `rollback of release ${plan.from} to ${plan.to} would run ${plan.steps.length} step(s):\n${list}`;
  if (!interactive()) throw new DbtideError(what, 1, 'pass --yes to confirm (dbtide rollback --dry-run shows the SQL)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${what}\nType "yes" to go on: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new DbtideError('rollback cancelled; nothing was changed', 1);
}

const rows = (n: number, exact: boolean) => `${exact ? '' : 'up to '}${n.toLocaleString('en-US')} row(s)${exact ? '' : ' (estimated)'}`;

function rollbackJson(r: RollbackResult) {
  return {
    from: r.from,
    to: r.to,
    dryRun: r.dryRun,
    ms: r.ms,
    steps: r.steps.map((s) => ({ id: s.id, description: s.description, sql: s.sql, ...(r.scripts ? { script: r.scripts.steps[s.id] ?? s.sql } : {}) })),
    newData: r.newData.map((d) => ({ object: d.object, table: d.table, rows: d.rows, exact: d.exact, archived: r.archived.includes(d.object) || d.object in r.archivedRows })),
    archivedRows: r.archivedRows,
    notUndone: r.notUndone,
    remaining: r.remaining.map((s) => ({ id: s.id, phase: s.phase, description: s.description })),
  };
}

/** The plan (a dry run: with its SQL) and what stays to do; `markdown` for a pull-request comment. */
function rollbackText(r: RollbackResult, markdown: boolean): string {
  const lines: string[] = [];
  const h = markdown ? '### ' : '';
  if (r.from === null || r.steps.length === 0) {
    lines.push(r.from === null ? `${h}Nothing to roll back: the last release expanded is ${r.to} itself, or none` : `${h}Nothing to roll back: release ${r.from} left nothing that ${r.to} does not declare`);
  } else {
    lines.push(`${h}Rollback of release ${r.from} to ${r.to}${r.dryRun ? ' (dry run: nothing was changed)' : ''}`);
    for (const s of r.steps) {
      lines.push(`${markdown ? '- ' : '  '}${s.description}`);
      if (r.dryRun) for (const sql of r.scripts?.steps[s.id] ?? s.sql) lines.push(markdown ? `  \`${sql};\`` : `      ${sql};`);
    }
    const data = r.newData.filter((d) => d.rows > 0);
    if (data.length > 0) {
      lines.push('', `${h}Rows only release ${r.from} holds`);
      for (const d of data) {
        const kept = d.object in r.archivedRows ? `archived to shadow_${d.table}` : r.archived.includes(d.object) ? `archived earlier to shadow_${d.table}` : r.dryRun ? 'lost unless --archive' : 'dropped';
        lines.push(`${markdown ? '- ' : '  '}${d.object}: ${rows(d.rows, d.exact)}, ${kept}`);
      }
    }
  }
  if (r.notUndone.length > 0) lines.push('', `${h}Left as they are`, ...r.notUndone.map((id) => `${markdown ? '- ' : '  '}${id}`));
  if (!r.dryRun && r.remaining.length > 0) {
    lines.push('', `${h}Release ${r.to} still plans ${r.remaining.length} step(s): run its phases (dbtide plan --schema <its file>)`, ...r.remaining.map((s) => `${markdown ? '- ' : '  '}${s.phase}: ${s.description}`));
  }
  return `${lines.join('\n')}\n`;
}
