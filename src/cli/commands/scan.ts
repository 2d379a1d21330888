import { Option, type Command } from 'commander';
import { scan } from '../../api.js';
import { DbtideError } from '../../errors.js';
import { describeKey } from '../../scan/find-offenders.js';
import { shadowName, type FixMode } from '../../scan/repair.js';
import type { ScanFinding } from '../../scan/find-offenders.js';
import { SCAN_EXIT, type ScanEvent, type ScanReport } from '../../scan/run-scan.js';
import { commonOptions, lockOptions, retryOf, targetOf } from '../common.js';
import { integerFlag, resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';

interface ScanFlags extends CommonFlags {
  table?: string;
  limit?: number;
  batchRows?: number;
  fix?: FixMode;
}

const FIXES: Record<FixMode, string> = {
  archive: 'moves the rows, and the rows that depend on them through foreign keys, to shadow_<table> tables (with when and why)',
  delete: 'deletes them (and their dependents); needs --yes, take a backup first',
  'set-default': "sets NULLs to the column's declared default",
};

export function registerScan(program: Command): void {
  lockOptions(commonOptions(program.command('scan'), ['text', 'json']), 'a fix')
    .description(`list the rows that would block pending tightenings (NOT NULL, UNIQUE, FOREIGN KEY, CHECK); exit ${SCAN_EXIT.clean} when clean, ${SCAN_EXIT.offenders} when offenders remain`)
    .option('--table <name>', 'only the tightenings of this table')
    .option('--limit <n>', 'offending keys to list per rule (default 20)', integerFlag('--limit'))
    .option('--batch-rows <n>', 'rows per key range of a scan (default 50000)', integerFlag('--batch-rows', 1))
    .addOption(new Option('--fix <mode>', `repair: ${Object.entries(FIXES).map(([m, d]) => `${m} ${d}`).join('; ')}`).choices(Object.keys(FIXES)))
    .option('--yes', 'confirm --fix delete')
    .action(async (flags: ScanFlags) => {
      if (flags.fix === 'delete' && !flags.yes) {
        throw new DbtideError('--fix delete removes the offending rows for good', 1, 'take a backup first, then run again with --yes (or use --fix archive, which keeps them in shadow tables)');
      }
      const resolved = await resolveUrl(flags);
      const text = flags.format !== 'json';
      const report = await scan(targetOf(resolved, flags), await resolveSchemaFile(flags, resolved.config), {
        ...(flags.table ? { table: flags.table } : {}),
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.batchRows ? { batchRows: flags.batchRows } : {}),
        ...(flags.fix ? { fix: flags.fix } : {}),
        retry: retryOf(flags, resolved),
        ...(flags.wait === undefined ? {} : { runLockWaitMs: flags.wait * 1000 }),
        ...(text ? { onEvent: printEvent } : {}),
      });
      process.stdout.write(text ? describe(report, flags) : `${JSON.stringify(report, null, 2)}\n`);
      process.exitCode = report.exitCode;
    });
}

function printEvent(event: ScanEvent): void {
  if (event.type === 'repairing') process.stderr.write(`fix ${event.mode}: ${event.description}\n`);
  if (event.type === 'repaired-chunk' && event.rows > 0) process.stderr.write(`  ${event.table}: ${event.rows} row(s)\n`);
}

function findingLines(findings: ScanFinding[]): string[] {
  return findings.flatMap((f) => {
    if (f.count === 0) return [`  ok    ${f.description}`];
    const keys = f.keys.map((k) => describeKey(f.key, k)).join(', ');
    const more = f.count > f.keys.length && f.keys.length > 0 ? `, ... (${f.count - f.keys.length} more)` : '';
    return [`  FAIL  ${f.description}: ${f.count} row(s)`, ...(keys ? [`        ${keys}${more}`] : ['        (no primary key: rows cannot be listed)'])];
  });
}

function describe(report: ScanReport, flags: ScanFlags): string {
  const lines = [`scan of ${report.release}${flags.table ? `, table ${flags.table}` : ''}:`];
  if (report.findings.length === 0) lines.push('  no pending tightening to scan');
  lines.push(...findingLines(report.findings));
  if (report.waiting.length > 0) lines.push('', 'not scanned yet (expand creates their columns):', ...report.waiting.map((w) => `  ${w}`));
  if (report.repairs.length > 0) {
    lines.push('', `fix ${flags.fix}:`);
    for (const r of report.repairs) {
      const moved = Object.entries(r.rows).map(([t, n]) => `${t} ${n}${r.mode === 'archive' ? ` -> ${shadowName(t)}` : ''}`);
      lines.push(`  ${r.description}: ${r.skipped ? `skipped: ${r.skipped}` : moved.length > 0 ? moved.join(', ') : 'nothing left to do'}`);
    }
    lines.push('', 'after the fix:', ...findingLines(report.remaining));
  }
  lines.push('', report.offending === 0 ? 'clean: nothing blocks the pending tightenings' : `${report.offending} offending row(s) (exit ${SCAN_EXIT.offenders})`);
  if (report.offending > 0 && !flags.fix) {
    const table = flags.table ? ` --table ${flags.table}` : '';
    lines.push(`repair: dbtide scan${table} --fix archive (keeps them in shadow_<table>), --fix delete --yes (take a backup first), or --fix set-default (NULLs, where a default is declared)`);
  }
  return `${lines.join('\n')}\n`;
}
