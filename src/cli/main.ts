import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DeclarationError } from '../declaration/declaration-error.js';
import { DbtideError } from '../errors.js';
import { redactText } from '../redact.js';
import { registerCheck, registerStatus } from './commands/check-status.js';
import { registerDemo } from './commands/demo.js';
import { registerPhase } from './commands/phase.js';
import { registerPlan } from './commands/plan.js';
import { registerPull } from './commands/pull.js';
import { registerScan } from './commands/scan.js';
import { registerVerifyChain } from './commands/verify-chain.js';

const program = new Command()
  .name('dbtide')
  .description('Zero-downtime schema migrations: expand (live), migrate (live), contract (after the old version is gone).')
  .version((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showHelpAfterError()
  .exitOverride();

registerPlan(program);
registerPhase(program, 'expand');
registerPhase(program, 'migrate');
registerPhase(program, 'contract');
registerCheck(program);
registerStatus(program);
registerPull(program);
registerScan(program);
registerVerifyChain(program);
registerDemo(program);

function fail(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
  if (error instanceof DbtideError) {
    process.stderr.write(`error: ${redactText(error.message)}\n`);
    if (error.hint) process.stderr.write(`hint: ${redactText(error.hint)}\n`);
    return error.exitCode;
  }
  if (error instanceof DeclarationError) {
    process.stderr.write(`error: the declaration is invalid:\n${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${redactText(message)}\n`);
  if (process.env.DBTIDE_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${redactText(error.stack)}\n`);
  return 1;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = fail(error);
}
