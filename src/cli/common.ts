import { Option, type Command } from 'commander';
import type { Target } from '../api.js';
import type { DbtideConfig } from '../config.js';
import type { RetryPolicy } from '../execute/retry.js';
import { numberFlag, type CommonFlags } from './resolve.js';

/** Exit code of `dbtide migrate --max-rows` when data work is left: call it again. Same as `check`'s "migrate pending". */
export const MORE_TO_DO_EXIT = 3;

export function commonOptions(command: Command): Command {
  return command
    .option('--url <url>', 'database URL (else DATABASE_URL, else dbtide.config.ts, else the embedded database)')
    .option('--schema <file>', 'release file to apply (else the config, else the last release in migrations/)')
    .option('--database-schema <name>', 'PostgreSQL schema that holds the tables', undefined)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'));
}

export function phaseOptions(command: Command): Command {
  return commonOptions(command)
    .option('--dry-run', 'print the SQL and change nothing (no ledger, no lock)')
    .option('--yes', 'do not ask before dropping tombstoned objects')
    .option('--lock-timeout <ms>', 'cap on each lock wait, in ms (default 2000)', numberFlag('--lock-timeout'))
    .option('--lock-retries <n>', 'retries after a lock wait timed out (default 10)', numberFlag('--lock-retries'))
    .option('--wait <seconds>', "how long to wait for another run's lock (default 30)", numberFlag('--wait'));
}

export function targetOf(url: string, flags: CommonFlags, config: DbtideConfig): Target {
  const databaseSchema = flags.databaseSchema ?? config.databaseSchema;
  return {
    url,
    ...(databaseSchema ? { databaseSchema } : {}),
    ...(flags.wait === undefined ? {} : { lockWaitMs: flags.wait * 1000 }),
  };
}

export function retryOf(flags: CommonFlags, config: DbtideConfig): Partial<RetryPolicy> {
  const lockTimeoutMs = flags.lockTimeout ?? config.lockTimeoutMs;
  const retries = flags.lockRetries ?? config.lockRetries;
  return {
    ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }),
    ...(retries === undefined ? {} : { retries }),
  };
}
