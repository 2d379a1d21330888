import type { Command } from 'commander';
import { check, status, type CheckReport, type RolloutState, type StatusReport } from '../../api.js';
import { describeCluster } from '../../model/cluster.js';
import type { VersionSelected } from '../../plan/step.js';
import { commonOptions, targetOf } from '../common.js';
import { resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';

export function registerCheck(program: Command): void {
  commonOptions(
    program
      .command('check')
      .description('exit with the next action: 0 up to date, 1 error, 2 expand pending, 3 migrate pending, 4 new code may roll out, then contract'),
  ).action(async (flags: CommonFlags) => {
    const resolved = await resolveUrl(flags);
    const report = await check(targetOf(resolved, flags), await resolveSchemaFile(flags, resolved.config));
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
    else if (flags.format === 'markdown') process.stdout.write(`${checkMarkdown(report)}\n`);
    else process.stdout.write(`${report.release}: ${STATE_TEXT[report.state]}\n${report.version ? `the new version ${readsThrough(report.version)}\n` : ''}`);
    process.exitCode = report.exitCode;
  });
}

/** What to do next, and which application versions may run meanwhile. */
const STATE_TEXT: Record<RolloutState, string> = {
  'expand-pending': 'expand pending; only the old version may run',
  'migrate-pending': 'migrate pending; only the old version may run until it is done',
  rollout: 'the new version may roll out now; run contract once no old version runs',
  'up-to-date': 'up to date',
};

/** Where the new version reads a changed type under its declared name. */
const readsThrough = (version: VersionSelected) => `reads the release's column types through ${version.select}`;

const checkMarkdown = (r: CheckReport) =>
  `**${r.release}**: ${STATE_TEXT[r.state].replace(/\b(expand|migrate|contract)\b/, '`dbtide $1`')}${r.version ? `; the new version ${readsThrough(r.version)}` : ''}`;

export function registerStatus(program: Command): void {
  commonOptions(program.command('status').description('show the release, pending steps per phase, drift, and recent runs')).action(
    async (flags: CommonFlags) => {
      const resolved = await resolveUrl(flags);
      const report = await status(targetOf(resolved, flags), await resolveSchemaFile(flags, resolved.config));
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${(flags.format === 'markdown' ? statusMarkdown : statusText)(report)}\n`);
    },
  );
}

const rowsOf = (n: string | number) => Number(n).toLocaleString('en-US');

function statusText(report: StatusReport): string {
  return [
    `database: ${report.server} (${report.url})`,
    ...(report.cluster ? [`cluster: ${describeCluster(report.cluster)}`] : []),
    `declared release: ${report.release}`,
    `pending: expand ${report.pending.expand}, migrate ${report.pending.migrate}, contract ${report.pending.contract}`,
    `next: ${report.next ? `dbtide ${report.next}` : 'nothing (up to date)'}`,
    `new version: ${report.newCodeMayRun ? 'may run' : `waits for ${report.next}`}${report.version ? `; it ${readsThrough(report.version)}` : ''}`,
    `drift: ${report.drift.length} object(s)${report.drift.length ? ' (dbtide plan lists them)' : ''}`,
    '',
    report.runs.length === 0 ? 'no runs recorded yet' : 'recent runs:',
    ...report.runs.map((r) => `  ${r.started_at}  ${r.phase.padEnd(8)} ${r.release.padEnd(20)} ${r.status.padEnd(11)} ${r.message ?? ''}`),
    ...(report.jobs.length === 0 ? [] : ['', 'backfills and data moves:']),
    ...report.jobs.map((j) => `  ${j.status.padEnd(8)} ${rowsOf(j.rows_done).padStart(12)} rows  ${j.job_id}`),
  ].join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** For pull-request comments and run summaries. */
function statusMarkdown(report: StatusReport): string {
  const out = [
    `### dbtide status: ${report.release}`,
    '',
    `Target: ${report.server}`,
    '',
    '| expand | migrate | contract | next | drift |',
    '|---|---|---|---|---|',
    `| ${report.pending.expand} | ${report.pending.migrate} | ${report.pending.contract} | ${report.next ? `\`dbtide ${report.next}\`` : 'up to date'} | ${report.drift.length} |`,
  ];
  if (report.runs.length > 0) {
    out.push('', '| started | phase | release | status | message |', '|---|---|---|---|---|');
    for (const r of report.runs) out.push(`| ${r.started_at} | ${r.phase} | ${cell(r.release)} | ${r.status} | ${cell(r.message ?? '')} |`);
  }
  if (report.jobs.length > 0) {
    out.push('', '| job | status | rows |', '|---|---|---|');
    for (const j of report.jobs) out.push(`| ${cell(j.job_id)} | ${j.status} | ${rowsOf(j.rows_done)} |`);
  }
  return out.join('\n');
}
