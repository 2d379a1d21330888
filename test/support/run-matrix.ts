/**
 * `npm run test:matrix`: the PostgreSQL integration tests once per supported major version
 * (PG_VERSIONS=15,17 for some), each against a server the suite starts itself
 * (DBTIDE_PG_VERSION), the other targets left out. Prints one line per version and exits 1 when
 * any failed. `--summary <file>` also writes the totals there as JSON (for .ci/run's last line).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_VERSIONS } from './embedded-postgres.js';

const versions = (process.env.PG_VERSIONS ?? Object.keys(POSTGRES_VERSIONS).join(',')).split(',').map((v) => v.trim());
const unknown = versions.filter((v) => !(v in POSTGRES_VERSIONS));
if (unknown.length > 0) {
  console.error(`PG_VERSIONS: no PostgreSQL ${unknown.join(', ')} to test; supported: ${Object.keys(POSTGRES_VERSIONS).join(', ')}`);
  process.exit(2);
}

/** The integration files with a PostgreSQL target. */
const files = readdirSync('test/integration')
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test/integration', f))
  .filter((f) => /\b(postgresTargets|scratchPostgres|targets)\b/.test(readFileSync(f, 'utf8')));

const out = mkdtempSync(join(tmpdir(), 'dbtide-matrix-'));
const lines: string[] = [];
let failed = false;
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const major of versions) {
  const report = join(out, `pg${major}.json`);
  const run = spawnSync('npx', ['vitest', 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile=${report}`], {
    stdio: 'inherit',
    env: { ...process.env, DBTIDE_PG_VERSION: major, DBTIDE_TEST_TARGETS: 'postgres' },
  });
  let counts = 'no report';
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    // A file that fails to load fails no test: the run's status counts it.
    const failures = r.numFailedTests > 0 || run.status === 0 ? r.numFailedTests : 1;
    counts = `${r.numPassedTests} passed, ${failures} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
    totals.passed += r.numPassedTests;
    totals.failed += failures;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    // The run died before writing its report: its exit status says so.
  }
  if (run.status !== 0) {
    failed = true;
    if (counts === 'no report') totals.failed++;
  }
  lines.push(`PostgreSQL ${POSTGRES_VERSIONS[major]}: ${counts}${run.status === 0 ? '' : ` (exit ${run.status})`}`);
}
rmSync(out, { recursive: true, force: true });
const summary = process.argv.indexOf('--summary');
if (summary !== -1) writeFileSync(process.argv[summary + 1]!, JSON.stringify(totals));
console.log(`\n${lines.join('\n')}`);
process.exit(failed ? 1 : 0);
