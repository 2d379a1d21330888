import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { applyPhase } from '../../api.js';
import { DbtideError } from '../../errors.js';
import { FULL_LANES } from '../../migrate/backfill-lanes.js';
import { BACKFILL_DEFAULTS } from '../../migrate/backfill.js';
import type { Phase, Step } from '../../plan/step.js';
import { MORE_TO_DO_EXIT, phaseOptions, retryOf, targetOf } from '../common.js';
import { stopOnSignals } from '../interrupt.js';
import { progressPrinter } from '../progress.js';
import { integerFlag, resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';

/** What `--yes` confirms: contract drops tombstoned objects; the live phases rarely drop anything. */
const YES: Record<Phase, string> = {
  expand: 'accepted for scripts; expand removes nothing the old version uses, so it never asks (its drops are relaxing ones)',
  migrate: 'accepted for scripts; migrate removes nothing, so it never asks',
  contract: 'confirm, without a prompt, dropping the objects the release marks as removed and the old columns of finished transitions (take a backup first)',
};

const DESCRIPTIONS: Record<Phase, string> = {
  expand: 'apply additive, online-safe changes (old and new application versions keep working)',
  migrate: 'move data and validate constraints, online',
  contract: 'tighten (NOT NULL, UNIQUE, FOREIGN KEY) and drop tombstoned objects, once the old version is gone',
};

export const interactive = () => Boolean(process.stdin.isTTY) && !process.env.CI;

/**
 * Asks before contract removes objects: at the prompt on a terminal, else by --yes. The drops
 * expand runs are relaxing (a tombstoned check, foreign key or unique goes; the statement guard
 * refuses anything destructive there), and DROP NOT NULL or DROP DEFAULT remove nothing.
 */
async function confirmDrops(phase: Phase, steps: Step[], flags: CommonFlags): Promise<void> {
  const drops = steps.filter((s) => s.destructive).map((s) => s.description);
  if (drops.length === 0 || flags.yes) return;
  const list = drops.map((d) => `  - ${d}`).join('\n');
  if (!interactive()) {
    throw new DbtideError(`${phase} would drop ${drops.length} object(s):\n${list}`, 1, 'pass --yes to confirm (take a backup first)');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${phase} will drop:\n${list}\nType "yes" to go on: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new DbtideError(`${phase} cancelled; nothing was changed`, 1);
}

/** Flags only some phases take: data work in migrate and contract (a table copy's rows), the verification override in contract. */
function phaseFlags(command: Command, phase: Phase): Command {
  if (phase === 'expand') return command;
  const dataWork = phase === 'migrate' ? 'backfills and data moves' : 'table copies';
  command
    .option('--max-rows <n>', `process at most n rows of ${dataWork}, then exit ${MORE_TO_DO_EXIT} if more is left`, integerFlag('--max-rows', 1))
    .option('--batch-ms <ms>', `target duration of one batch; batch size follows it (default ${phase === 'migrate' ? 500 : 50})`, integerFlag('--batch-ms', 1))
    .option('--sleep-ms <ms>', 'pause between batches, to leave room for the application (default 0)', integerFlag('--sleep-ms'))
    .option(
      '--workers <n>',
      `sessions that walk a large table side by side, each over a range of keys of its own (default ${BACKFILL_DEFAULTS.workers}, or 1 with --sleep-ms; at most ${FULL_LANES})`,
      integerFlag('--workers', 1, FULL_LANES),
    )
    .option('--max-replica-lag <ms>', `hold ${dataWork} back while any replica is further behind than this (PostgreSQL: the replicas pg_stat_replication lists, unless --replica names them); batches then aim at half this at most, unless --batch-ms is given`, integerFlag('--max-replica-lag', 1))
    .option('--replica <url>', 'a replica whose lag --max-replica-lag watches, read on the replica itself; repeat for each (MySQL and MariaDB need it, but for a Galera node, whose cluster lists its nodes)', (url: string, given: string[] = []) => [...given, url]);
  if (phase === 'contract') {
    command.option('--force <reason>', 'go on although a transition verification found mismatching rows; the reason is recorded in the ledger');
  }
  return command;
}

interface PhaseFlags extends CommonFlags {
  maxRows?: number;
  batchMs?: number;
  sleepMs?: number;
  workers?: number;
  maxReplicaLag?: number;
  replica?: string[];
  force?: string;
}

function backfillOf(flags: PhaseFlags) {
  return {
    ...(flags.maxRows === undefined ? {} : { maxRows: flags.maxRows }),
    ...(flags.batchMs === undefined ? {} : { targetBatchMs: flags.batchMs }),
    ...(flags.sleepMs === undefined ? {} : { sleepMs: flags.sleepMs }),
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
  };
}

function replicaLagOf(flags: PhaseFlags) {
  if (flags.maxReplicaLag === undefined) {
    if (flags.replica !== undefined) throw new DbtideError('--replica needs --max-replica-lag <ms>: the lag to hold data work back at', 1);
    return {};
  }
  return { replicaLag: { maxLagMs: flags.maxReplicaLag, ...(flags.replica ? { replicas: flags.replica } : {}) } };
}

export function registerPhase(program: Command, phase: Phase): void {
  phaseFlags(phaseOptions(program.command(phase).description(DESCRIPTIONS[phase]), YES[phase]), phase).action(async (flags: PhaseFlags) => {
    if (flags.force !== undefined && flags.force.trim() === '') {
      throw new DbtideError('--force needs a reason, e.g. --force "rows 12-15 were repaired by hand"', 1);
    }
    const resolved = await resolveUrl(flags);
    const target = targetOf(resolved, flags);
    const schemaFile = await resolveSchemaFile(flags, resolved.config);
    const replicaLag = replicaLagOf(flags);
    const stop = stopOnSignals();
    const result = await applyPhase(phase, target, schemaFile, {
      signal: stop.signal,
      confirm: (steps) => confirmDrops(phase, steps, flags),
      dryRun: flags.dryRun ?? false,
      retry: retryOf(flags, resolved),
      ...(flags.wait === undefined ? {} : { runLockWaitMs: flags.wait * 1000 }),
      backfill: backfillOf(flags),
      ...replicaLag,
      ...(flags.force ? { force: flags.force } : {}),
      onEvent: progressPrinter(flags.format, { tty: Boolean(process.stderr.isTTY) }),
    }).finally(stop.dispose);
    if (result.moreToDo) process.exitCode = MORE_TO_DO_EXIT;
    if (flags.format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ phase, dryRun: result.dryRun, ms: result.ms, moreToDo: result.moreToDo, steps: result.steps.map((s) => ({ id: s.id, description: s.description, sql: s.sql, ...(result.scripts ? { script: result.scripts.steps[s.id] ?? s.sql } : {}) })), ...(result.scripts ? { session: result.scripts.session } : {}) }, null, 2)}\n`,
      );
    } else if (result.dryRun) {
      const scripts = result.scripts!;
      if (result.steps.length > 0) process.stdout.write(`-- session\n${scripts.session.map((s) => `${s};`).join('\n')}\n\n`);
      for (const step of result.steps) process.stdout.write(`-- ${step.description}\n${(scripts.steps[step.id] ?? step.sql).map((s) => `${s};`).join('\n')}\n\n`);
    }
  });
}
