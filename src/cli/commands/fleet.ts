import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSchemaFile } from '../../declaration/load-schema.js';
import { DbtideError } from '../../errors.js';
import { fleetTargets } from '../../fleet/catalog.js';
import { FLEET_COMMANDS, runFleetCommand, type FleetCommand, type FleetRequest } from '../../fleet/fleet-commands.js';
import { fleetOf } from '../../fleet/fleet-file.js';
import { parseShard, type Selection } from '../../fleet/fleet-order.js';
import { FLEET_DEFAULTS } from '../../fleet/run-fleet.js';
import type { FixMode } from '../../scan/repair.js';
import { commonOptions, lockOptions, retryOf } from '../common.js';
import { fleetJunit, fleetPrinter, fleetSummary, fleetSummaryJson } from '../fleet-output.js';
import { stopOnSignals } from '../interrupt.js';
import { configOf, integerFlag, numberFlag, resolveSchemaFile, type CommonFlags } from '../resolve.js';

interface FleetFlags extends CommonFlags {
  fleet?: string;
  concurrency?: number;
  canary?: string;
  stage?: string;
  continueOnError?: boolean;
  only?: string;
  shard?: string;
  junit?: string;
  maxRows?: number;
  batchMs?: number;
  sleepMs?: number;
  workers?: number;
  fix?: FixMode;
  to?: string;
  archive?: boolean;
  discardNewData?: boolean;
}

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

export function registerFleet(program: Command): void {
  lockOptions(
    commonOptions(
      program
        .command('fleet')
        .argument('<command>', `what to run on every target: ${FLEET_COMMANDS.join(', ')}`)
        .description('run one command on every database of a fleet (cells, tenants): canaries first, then stages, a few at a time, stopping at the first failure; a rerun resumes'),
    ),
    'a step',
  )
    .option('--fleet <file>', 'the fleet file: fleet.json or fleet.yaml listing the targets (default: the config\'s fleet, else the one in this folder)')
    .option('--concurrency <n>', `targets at once (default ${FLEET_DEFAULTS.concurrency})`, integerFlag('--concurrency', 1, 256))
    .option('--canary <names|count>', 'these targets (comma-separated), or this many of the first, run first and one at a time')
    .option('--stage <groups>', 'groups (comma-separated) in the order they run after the canaries; targets of no listed group run last')
    .option('--continue-on-error', 'go on starting targets after one failed (default: stop starting new ones, let running ones finish)')
    .option('--only <names>', 'only these targets (comma-separated)')
    .option('--shard <i/n>', "this runner's share of the targets, i from 1 to n (a Kubernetes Indexed Job: JOB_COMPLETION_INDEX + 1)")
    .option('--junit <file>', 'also write the outcome per target as JUnit XML')
    .option('--dry-run', 'expand, migrate, contract, rollback: print nothing to the databases, plan only')
    .option('--yes', 'contract and rollback: confirm the drops on every target (required: a fleet asks no one)')
    .option('--max-blocked <seconds>', 'how long a step may wait in all while other sessions hold a lock on its table (default 300)', numberFlag('--max-blocked'))
    .option('--max-rows <n>', 'migrate, contract: rows of data work per target in this run', integerFlag('--max-rows', 1))
    .option('--batch-ms <ms>', 'migrate, contract: target duration of one batch', integerFlag('--batch-ms', 1))
    .option('--sleep-ms <ms>', 'migrate, contract: pause between batches', integerFlag('--sleep-ms'))
    .option('--workers <n>', 'migrate, contract: sessions per table walk', integerFlag('--workers', 1, 16))
    .option('--fix <mode>', 'scan: repair the offending rows (archive, delete, set-default)')
    .option('--to <release file>', 'rollback: the release to go back to (default: the one before the release last expanded)')
    .option('--archive', 'rollback: copy the rows only the withdrawn release holds into shadow_<table> first')
    .option('--discard-new-data', 'rollback: drop them')
    .action(async (command: string, flags: FleetFlags) => {
      if (!(FLEET_COMMANDS as readonly string[]).includes(command)) throw new DbtideError(`fleet ${command}: no such fleet command`, 1, `one of: ${FLEET_COMMANDS.join(', ')}`);
      const request = await requestOf(command as FleetCommand, flags);
      const stop = stopOnSignals();
      const width = Math.min(32, Math.max(...request.targets.map((t) => t.name.length), 6));
      const result = await runFleetCommand({ ...request, signal: stop.signal, onEvent: fleetPrinter(command, flags.format, Boolean(process.stderr.isTTY), width) }).finally(stop.dispose);
      if (flags.format === 'json') process.stdout.write(`${fleetSummaryJson(result)}\n`);
      else process.stdout.write(fleetSummary(result));
      if (flags.junit) await writeFile(flags.junit, fleetJunit(result));
      process.exitCode = result.exitCode;
    });
}

async function requestOf(command: FleetCommand, flags: FleetFlags): Promise<FleetRequest> {
  const destructive = command === 'contract' || command === 'rollback';
  if (destructive && !flags.yes && !flags.dryRun) {
    throw new DbtideError(`fleet ${command} drops objects on every target, and a fleet asks no one`, 1, `pass --yes (fleet ${command} --dry-run, or fleet plan, shows what it would do)`);
  }
  const loaded = await configOf(flags);
  const targets = await fleetTargets(fleetOf(flags.fleet, { ...(loaded.file ? { file: loaded.file } : {}), fleet: loaded.config.fleet }));
  const canary = flags.canary === undefined ? undefined : /^\d+$/.test(flags.canary.trim()) ? Number(flags.canary) : list(flags.canary);
  const selection: Selection = {
    ...(flags.only ? { only: list(flags.only)! } : {}),
    ...(flags.shard ? { shard: parseShard(flags.shard) } : {}),
    ...(canary === undefined ? {} : { canary }),
    ...(flags.stage ? { stages: list(flags.stage)! } : {}),
  };
  const retry = retryOf(flags, loaded);
  const databaseSchema = flags.databaseSchema ?? loaded.config.databaseSchema;
  const base = {
    command,
    targets,
    selection,
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    continueOnError: flags.continueOnError ?? false,
    ...(databaseSchema ? { databaseSchema } : {}),
  };
  if (command === 'rollback') {
    return {
      ...base,
      rollback: {
        ...(flags.to === undefined ? {} : { to: resolve(flags.to) }),
        chain: loaded.config.migrations ?? 'migrations',
        dryRun: flags.dryRun ?? false,
        archive: flags.archive ?? false,
        discardNewData: flags.discardNewData ?? false,
        retry,
        ...(flags.wait === undefined ? {} : { runLockWaitMs: flags.wait * 1000 }),
      },
    };
  }
  const declared = await loadSchemaFile(await resolveSchemaFile(flags, loaded.config));
  return {
    ...base,
    declared,
    phase: {
      dryRun: flags.dryRun ?? false,
      retry,
      ...(flags.wait === undefined ? {} : { runLockWaitMs: flags.wait * 1000 }),
      backfill: {
        ...(flags.maxRows === undefined ? {} : { maxRows: flags.maxRows }),
        ...(flags.batchMs === undefined ? {} : { targetBatchMs: flags.batchMs }),
        ...(flags.sleepMs === undefined ? {} : { sleepMs: flags.sleepMs }),
        ...(flags.workers === undefined ? {} : { workers: flags.workers }),
      },
    },
    ...(flags.fix ? { scan: { fix: flags.fix, retry } } : {}),
  };
}
