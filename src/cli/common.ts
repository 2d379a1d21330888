import { Option, type Command } from 'commander';
import type { Target } from '../api.js';
import type { RetryPolicy } from '../execute/retry.js';
import { integerFlag, numberFlag, type CommonFlags, type Resolved } from './resolve.js';

/** Exit code of `dbtide migrate --max-rows` when data work is left: call it again. Same as `check`'s "migrate pending". */
export const MORE_TO_DO_EXIT = 3;

export type Format = CommonFlags['format'];

/** Where the database is, and how to print: every command that connects. */
export function connectionOptions(command: Command, formats: Format[] = ['text', 'json', 'markdown']): Command {
  return command
    .option('--url <url>', 'database URL (else DATABASE_URL, else the config file; the embedded database only when none of them exists)')
    .option('--config <file>', 'config file (default: dbtide.config.ts in this folder or the nearest parent)')
    .option('--database-schema <name>', 'PostgreSQL schema (MySQL: database) that holds the tables; it must exist')
    .addOption(new Option('--format <format>', 'output format').choices(formats).default('text'));
}

/** Connection options, plus the release to compare with: commands that read a declaration. */
export function commonOptions(command: Command, formats?: Format[]): Command {
  return connectionOptions(command, formats).option(
    '--schema <file>',
    'release file to compare the database with (else the config, else the last release of the chain in migrations/)',
  );
}

/** Bounded lock waits and the run lock: phases and repairs. */
export function lockOptions(command: Command, what: string): Command {
  return command
    .option('--lock-timeout <ms>', `cap on each lock wait of ${what}, in ms: what writers queued behind one attempt wait at most (default 50 on PostgreSQL; MySQL, MariaDB and Db2 count in whole seconds: 1000)`, integerFlag('--lock-timeout', 1))
    .option('--lock-retries <n>', 'retries after a lock wait timed out, with jittered backoff (default 30)', integerFlag('--lock-retries'))
    .option('--wait <seconds>', "how long to wait for another run's lock (default 30)", numberFlag('--wait'));
}

export function phaseOptions(command: Command, yes: string): Command {
  return lockOptions(
    commonOptions(command).option('--dry-run', 'print the SQL and change nothing (no ledger, no lock)').option('--yes', yes),
    'a step',
  ).option(
    '--max-blocked <seconds>',
    'how long a step may wait in all while other sessions hold a lock on its table (dbtide watches them without asking for the lock, so no writer queues behind it), then exit 1 naming them (default 300)',
    numberFlag('--max-blocked'),
  );
}

export function targetOf({ url, config, configFile }: Resolved, flags: CommonFlags): Target {
  const databaseSchema = flags.databaseSchema ?? config.databaseSchema;
  return {
    url,
    ...(databaseSchema ? { databaseSchema, databaseSchemaSource: flags.databaseSchema ? '--database-schema' : `databaseSchema in ${configFile}` } : {}),
    ...(flags.wait === undefined ? {} : { lockWaitMs: flags.wait * 1000 }),
  };
}

export function retryOf(flags: CommonFlags, { config }: Pick<Resolved, 'config'>): Partial<RetryPolicy> {
  const lockTimeoutMs = flags.lockTimeout ?? config.lockTimeoutMs;
  const retries = flags.lockRetries ?? config.lockRetries;
  const maxBlocked = flags.maxBlocked ?? config.maxBlockedSeconds;
  return {
    ...(maxBlocked === undefined ? {} : { maxBlockedMs: maxBlocked * 1000 }),
    ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }),
    ...(retries === undefined ? {} : { retries }),
  };
}
