import type { Command } from 'commander';
import { check, status } from '../../api.js';
import { commonOptions, targetOf } from '../common.js';
import { resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';

export function registerCheck(program: Command): void {
  commonOptions(
    program
      .command('check')
      .description('exit with the next action: 0 up to date, 1 error, 2 expand pending, 3 migrate pending, 4 contract pending'),
  ).action(async (flags: CommonFlags) => {
    const { url, config } = await resolveUrl(flags);
    const report = await check(targetOf(url, flags, config), resolveSchemaFile(flags, config));
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(report.next ? `${report.release}: ${report.next} pending\n` : `${report.release}: up to date\n`);
    process.exitCode = report.exitCode;
  });
}

export function registerStatus(program: Command): void {
  commonOptions(program.command('status').description('show the release, pending steps per phase, drift, and recent runs')).action(
    async (flags: CommonFlags) => {
      const { url, config } = await resolveUrl(flags);
      const report = await status(targetOf(url, flags, config), resolveSchemaFile(flags, config));
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [
        `database: ${report.server} (${report.url})`,
        `declared release: ${report.release}`,
        `pending: expand ${report.pending.expand}, migrate ${report.pending.migrate}, contract ${report.pending.contract}`,
        `next: ${report.next ? `dbtide ${report.next}` : 'nothing (up to date)'}`,
        `drift: ${report.drift} object(s)${report.drift ? ' (dbtide plan lists them)' : ''}`,
        '',
        report.runs.length === 0 ? 'no runs recorded yet' : 'recent runs:',
        ...report.runs.map(
          (r) => `  ${new Date(r.started_at).toISOString()}  ${r.phase.padEnd(8)} ${r.release.padEnd(20)} ${r.status.padEnd(7)} ${r.message ?? ''}`,
        ),
        ...(report.jobs.length === 0 ? [] : ['', 'backfills and data moves:']),
        ...report.jobs.map((j) => `  ${j.status.padEnd(8)} ${Number(j.rows_done).toLocaleString('en-US').padStart(12)} rows  ${j.job_id}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  );
}
