import type { PlanReport } from '../api.js';
import { describeCluster } from '../model/cluster.js';
import { PHASES, stepsOf, type Step } from '../plan/step.js';

const rows = (n: number | null) => (n === null ? '' : `~${n.toLocaleString('en-US')} rows`);

/** The plan as `plan --format json` prints it: stable field names for machines. */
export function planJson(report: PlanReport) {
  return {
    release: report.release,
    server: report.server,
    ...(report.cluster ? { cluster: report.cluster } : {}),
    url: report.url,
    steps: report.plan.steps.map((s) => ({
      id: s.id,
      phase: s.phase,
      operation: s.operation,
      destructive: s.destructive,
      relaxing: s.relaxing,
      table: s.table,
      description: s.description,
      sql: s.sql,
      // What runs, in order: the step's statements with the transaction and lock caps around them.
      script: report.scripts.steps[s.id] ?? s.sql,
      // A raw SQL step's undo, as declared: kept for the rollback to come; nothing runs it yet.
      ...(s.raw ? { down: s.raw.down } : {}),
      lock: s.lock.level,
      blocksWrites: s.lock.blocksWrites,
      rewritesTable: s.lock.rewritesTable,
      estimatedRows: s.estimatedRows,
      prechecks: s.prechecks.map((p) => ({ kind: p.kind, table: p.table, description: p.description })),
    })),
    // Issued once per run, before the first step.
    session: report.scripts.session,
    lockTimeoutMs: report.scripts.lockTimeoutMs,
    drift: report.plan.drift,
    warnings: report.plan.warnings,
    version: report.plan.version ?? null,
  };
}

function stepText(step: Step, n: number, script: string[] | null): string {
  const flags = [step.lock.level, rows(step.estimatedRows), step.lock.blocksWrites ? 'BLOCKS WRITES' : '']
    .filter(Boolean)
    .join(', ');
  const lines = [`  ${n}. ${step.description}`, `     lock: ${flags}`];
  for (const p of step.prechecks) lines.push(`     precheck: ${p.description}`);
  if (script) for (const sql of script) lines.push(...sql.split('\n').map((l, i) => `     ${i === 0 ? '> ' : '  '}${l}`));
  return lines.join('\n');
}

export function planText(report: PlanReport, withSql = true): string {
  const out = [`Plan for release ${report.release} on ${report.server} (${report.url})`];
  if (report.cluster) out.push(`cluster: ${describeCluster(report.cluster)}`);
  for (const phase of PHASES) {
    const steps = stepsOf(report.plan, phase);
    out.push('', `${phase}: ${steps.length === 0 ? 'nothing to do' : `${steps.length} step(s)`}`);
    if (withSql && steps.length > 0) out.push(`  session: ${report.scripts.session.join('; ')}`);
    steps.forEach((s, i) => out.push(stepText(s, i + 1, withSql ? (report.scripts.steps[s.id] ?? s.sql) : null)));
  }
  if (report.plan.version) out.push('', `the new version reads the release's column types through ${report.plan.version.select}`);
  if (report.plan.drift.length > 0) {
    out.push('', 'drift (live objects the declaration does not know; never dropped):');
    for (const d of report.plan.drift) out.push(`  - ${d.object}: ${d.detail}`);
  }
  if (report.plan.warnings.length > 0) {
    out.push('', 'warnings:');
    for (const w of report.plan.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** For pull-request comments. */
export function planMarkdown(report: PlanReport): string {
  const out = [`### dbtide plan: ${report.release}`, '', `Target: ${report.server}`, ...(report.cluster ? ['', `Cluster: ${describeCluster(report.cluster)}`] : []), ''];
  if (report.plan.steps.length === 0) out.push('No changes.');
  else {
    out.push('| phase | step | lock | rows | blocks writes |', '|---|---|---|---|---|');
    for (const s of report.plan.steps) {
      out.push(`| ${s.phase} | ${cell(s.description)} | ${cell(s.lock.level)} | ${s.estimatedRows ?? ''} | ${s.lock.blocksWrites ? '**yes**' : 'no'} |`);
    }
    const script = [...report.scripts.session, ...report.plan.steps.flatMap((s) => report.scripts.steps[s.id] ?? s.sql)];
    out.push('', '<details><summary>SQL</summary>', '', '```sql', ...script.map((q) => `${q};`), '```', '</details>');
  }
  if (report.plan.drift.length > 0) {
    out.push('', '**Drift** (never dropped):', ...report.plan.drift.map((d) => `- \`${d.object}\`: ${d.detail}`));
  }
  if (report.plan.warnings.length > 0) out.push('', '**Warnings**:', ...report.plan.warnings.map((w) => `- ${w}`));
  return out.join('\n');
}
