import { escaped, xmlAttr, xmlText } from '../junit-xml.js';
import type { ChainReport, CheckResult, ReleaseResult } from './chain-report.js';

const WIDTH = 100;
const NAME_WIDTH = 'schema-equality'.length;
const MS_WIDTH = 7;
/** Indent, name, PASS/FAIL, ms and the gaps between them; the summary gets the rest of the line. */
const SUMMARY_WIDTH = WIDTH - (2 + NAME_WIDTH + 2 + 4 + 2 + MS_WIDTH + 2);

const seconds = (ms: number, digits: number) => (ms / 1000).toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const failedChecks = (report: ChainReport) =>
  report.releases.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.release} ${c.name}`));
const checkCount = (report: ChainReport) => report.releases.reduce((n, r) => n + r.checks.length, 0);

/** Summaries and details quote database messages, which may carry terminal escapes: show them, never send them. */
const visible = (text: string) => text.replace(/(?![\t\n])\p{Cc}/gu, escaped);

/** Cuts by code point, so that an emoji or other astral character is never split in half. */
function fit(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

function checkRow(check: CheckResult): string[] {
  const summary = fit(visible(check.summary.replace(/\s+/g, ' ').trim()), SUMMARY_WIDTH);
  const row = `  ${check.name.padEnd(NAME_WIDTH)}  ${verdict(check.ok)}  ${String(Math.round(check.ms)).padStart(MS_WIDTH)}  ${summary}`;
  // Details are the whole story (a schema diff, a failing statement): never cut, only indented.
  const details = check.ok ? [] : (check.details ?? []).flatMap((d) => d.split(/\r?\n/)).map((line) => `      ${visible(line)}`);
  return [row.trimEnd(), ...details];
}

function releaseText(release: ReleaseResult): string[] {
  return [
    fit(`${release.release}  ${verdict(release.ok)}  ${seconds(release.ms, 1)} s  ${release.file}`, WIDTH),
    `  ${'check'.padEnd(NAME_WIDTH)}  ok    ${'ms'.padStart(MS_WIDTH)}  summary`,
    ...release.checks.flatMap(checkRow),
  ];
}

/**
 * For people: one table per release, the details under each failed check, and a one-line verdict.
 * The verdict line names every failed check, however long that makes it: it is the line CI logs are read by.
 */
export function renderChainText(report: ChainReport): string {
  const failed = failedChecks(report);
  const counts = `verify-chain: ${report.releases.length} release(s), ${checkCount(report) - failed.length} check(s) passed`;
  const time = `in ${seconds(report.ms, 1)} s`;
  const last = report.ok
    ? `${counts}, ${failed.length} failed ${time}`
    : `${counts} ${time}, FAILED: ${failed.length} check(s) failed${failed.length ? ` (${failed.join(', ')})` : ''}`;
  return [
    fit(`verify-chain on ${report.server} (${report.target})`, WIDTH),
    ...report.releases.flatMap((r) => ['', ...releaseText(r)]),
    '',
    last,
    '',
  ].join('\n');
}

export function renderChainJson(report: ChainReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function testcase(release: string, check: CheckResult): string {
  const open = `    <testcase classname="${xmlAttr(`dbtide.verify-chain.${release}`)}" name="${xmlAttr(check.name)}" time="${seconds(check.ms, 3)}"`;
  if (check.ok) return `${open}/>`;
  const failure = `<failure message="${xmlAttr(check.summary)}">${xmlText((check.details ?? []).join('\n'))}</failure>`;
  return `${open}>\n      ${failure}\n    </testcase>`;
}

function testsuite(release: ReleaseResult): string[] {
  const failures = release.checks.filter((c) => !c.ok).length;
  return [
    `  <testsuite name="${xmlAttr(release.release)}" tests="${release.checks.length}" failures="${failures}" time="${seconds(release.ms, 3)}">`,
    ...release.checks.map((c) => testcase(release.release, c)),
    '  </testsuite>',
  ];
}

/** JUnit XML as GitHub Actions reporters, GitLab and Jenkins read it: a suite per release, a case per check. */
export function renderChainJunit(report: ChainReport): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dbtide verify-chain" tests="${checkCount(report)}" failures="${failedChecks(report).length}" time="${seconds(report.ms, 3)}">`,
    ...report.releases.flatMap(testsuite),
    '</testsuites>',
    '',
  ].join('\n');
}
