import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DeclarationError } from '../declaration/declaration-error.js';
import { DbtideError } from '../errors.js';
import { cliHint } from './hints.js';
import { redactText } from '../redact.js';
import { registerCheck, registerStatus } from './commands/check-status.js';
import { registerDemo } from './commands/demo.js';
import { registerPhase } from './commands/phase.js';
import { registerLint } from './commands/lint.js';
import { registerPlan } from './commands/plan.js';
import { registerInit } from './commands/init.js';
import { registerFleet } from './commands/fleet.js';
import { registerPull } from './commands/pull.js';
import { registerRollback } from './commands/rollback.js';
import { registerScan } from './commands/scan.js';
import { registerVerifyChain } from './commands/verify-chain.js';

/** The package's version, from its package.json: two folders up from the sources, three from dist/src/cli. */
function ownVersion(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'dbtide' && manifest.version) return manifest.version;
  }
  return 'unknown';
}

/** A fresh program per run: commander keeps option values on its commands between parses. */
function buildProgram(): Command {
  const program = new Command()
    .name('dbtide')
    .description('Zero-downtime schema migrations: expand (live), migrate (live), contract (after the old version is gone).')
    .version(ownVersion())
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerPlan(program);
  registerPhase(program, 'expand');
  registerPhase(program, 'migrate');
  registerPhase(program, 'contract');
  registerRollback(program);
  registerFleet(program);
  registerCheck(program);
  registerStatus(program);
  registerPull(program);
  registerScan(program);
  registerVerifyChain(program);
  registerLint(program);
  registerDemo(program);
  return program;
}

interface ErrorReport {
  message: string;
  hint?: string;
  path?: string;
  issues?: { path: string; message: string }[];
  exitCode: number;
}

/** Every failure as one shape: printed for people on stderr, and as JSON on stdout under `--format json`. */
function reportOf(error: unknown): ErrorReport | null {
  if (error instanceof CommanderError) {
    // Help and --version end the same way, with nothing wrong.
    if (error.exitCode === 0) return null;
    return { message: error.message.replace(/^error: /, ''), hint: 'dbtide <command> --help lists the options', exitCode: 1 };
  }
  if (error instanceof DbtideError) {
    return {
      message: redactText(error.message),
      ...(cliHint(error) ? { hint: redactText(cliHint(error)!) } : {}),
      ...(error.details.path ? { path: error.details.path } : {}),
      ...(error.details.issues ? { issues: error.details.issues } : {}),
      exitCode: error.exitCode,
    };
  }
  if (error instanceof DeclarationError) {
    return {
      message: `${error.location ? `${error.location}: ` : ''}the declaration is invalid:\n${error.message}`,
      ...(error.location ? { path: error.location } : {}),
      issues: error.issues,
      exitCode: 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: redactText(message), hint: 'this looks like a dbtide bug: rerun with DBTIDE_DEBUG=1 for the stack, and report it', exitCode: 1 };
}

/** `--format json` anywhere on the command line, as commander itself may be what failed. */
const wantsJson = (argv: string[]) => argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));

function fail(error: unknown, argv: string[]): number {
  const report = reportOf(error);
  if (report === null) return 0;
  // Commander has printed its own message (and the help) already.
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`error: ${report.message}\n`);
    if (report.hint) process.stderr.write(`hint: ${report.hint}\n`);
  }
  if (process.env.DBTIDE_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${redactText(error.stack)}\n`);
  if (wantsJson(argv)) process.stdout.write(`${JSON.stringify({ error: report })}\n`);
  return report.exitCode;
}

/**
 * Runs one command line (`argv` as `process.argv` holds it) and returns its exit code. Commands
 * report a code of their own (check, scan, migrate --max-rows) through `process.exitCode`.
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return fail(error, argv);
  } finally {
    process.exitCode = before;
  }
}
