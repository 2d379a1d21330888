import { RunLockHeld, type DbtideError } from '../errors.js';
import { EarlierPhasePending, PrecheckFailed, StepFailed, WRITTEN_PAST_TRIGGER } from '../execute/outcomes.js';

/**
 * What to do next in `dbtide` commands and flags. The outcomes of a run carry data and a hint that
 * names no command; the CLI, and the library's phase calls (which the CLI runs), say it this way.
 */
export function cliHint(error: DbtideError): string | undefined {
  if (error instanceof PrecheckFailed) return precheckHint(error);
  if (error instanceof EarlierPhasePending) return `run \`dbtide ${error.pending}\` first (\`dbtide plan\` shows every pending step)`;
  // A lock timeout's hint names the server's session list, and no command.
  if (error instanceof StepFailed && !error.lockTimeout) {
    return `the steps before this one are done and journaled; fix the cause and run \`dbtide ${error.phase}\` again: it resumes where it stopped`;
  }
  if (error instanceof RunLockHeld) return 'wait for the other run to finish (dbtide status shows it), or raise --wait';
  return error.hint;
}

function precheckHint(error: PrecheckFailed): string {
  const { tightenings, verifications } = error;
  return [
    ...(tightenings.length > 0 ? [repairHint(error)] : []),
    ...(verifications.length > 0
      ? [`${WRITTEN_PAST_TRIGGER}: fix them and contract again; if the difference is intended, \`dbtide contract --force "<reason>"\` records the reason and goes on`]
      : []),
  ].join('\n');
}

function repairHint({ tightenings }: PrecheckFailed): string {
  const tables = [...new Set(tightenings.map((f) => f.table))];
  const only = tables.length === 1 ? ` --table ${tables[0]}` : '';
  // NULLs in columns with a declared default are best filled with it: nothing leaves the table.
  const repair = tightenings.every((f) => f.fillable)
    ? `\`dbtide scan${only} --fix set-default\` fills the NULLs with the declared defaults; \`dbtide scan${only} --fix archive\` moves the rows instead`
    : `\`dbtide scan${only} --fix archive\` moves them (and the rows that depend on them) to shadow_<table> tables`;
  return `list them: \`dbtide scan${only}\`; repair: ${repair} (same --url and --schema as this run); or correct the data by hand, then run the phase again`;
}
