import { RunLockHeld, type DbtideError } from '../errors.js';
import { EarlierPhasePending, precheckAdvice, PrecheckFailed, StepFailed, type RepairWords } from '../execute/outcomes.js';

/**
 * What to do next in `dbtide` commands and flags. The outcomes of a run carry data and a hint that
 * names no command; the CLI, and the library's phase calls (which the CLI runs), say it this way.
 */
export function cliHint(error: DbtideError): string | undefined {
  if (error instanceof PrecheckFailed) return precheckAdvice(error.failures, CLI_WORDS);
  if (error instanceof EarlierPhasePending) return `run \`dbtide ${error.pending}\` first (\`dbtide plan\` shows every pending step)`;
  // A lock timeout's hint names the server's session list, and no command.
  if (error instanceof StepFailed && !error.lockTimeout) {
    return `the steps before this one are done and journaled; fix the cause and run \`dbtide ${error.phase}\` again: it resumes where it stopped`;
  }
  if (error instanceof RunLockHeld) return 'wait for the other run to finish (dbtide status shows it), or raise --wait';
  return error.hint;
}

/** The CLI's names for the repairs: the same `--url` and `--schema` go with them. */
const CLI_WORDS: RepairWords = {
  list: (table) => `list them: \`dbtide scan${table ? ` --table ${table}` : ''}\``,
  fix: (mode, table) => `\`dbtide scan${table ? ` --table ${table}` : ''} --fix ${mode}\``,
  force: '`dbtide contract --force "<reason>"`',
  after: ' (same --url and --schema as this run)',
};
