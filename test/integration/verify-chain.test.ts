import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/dialect.js';
import type { ChainReport, CheckName } from '../../src/verify/chain-report.js';
import { verifyChain } from '../../src/verify/verify-chain.js';
import { MIGRATIONS } from '../support/chain.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { mariadbAdminUrl, postgresAdminUrl, targets, type ScratchTarget } from '../support/scratch-databases.js';

const CHECKS_PER_UPGRADE: CheckName[] = ['expand', 'compatibility', 'rollback', 'migrate', 'contract', 'idempotence', 'schema-equality', 'phase-policy', 'data'];

/** The server verify-chain makes its scratch databases on; none: the embedded database. */
const SERVER_URL: Record<ScratchTarget['name'], () => string | undefined> = {
  postgres: postgresAdminUrl,
  pglite: () => undefined,
  mariadb: mariadbAdminUrl,
  mysql: () => process.env.MYSQL_URL,
};

/**
 * What differs per dialect in the broken chains: a cast that old code's values break, a type the
 * server stores under another name, and how to count the scratch databases left on the server.
 */
const DIALECT: Partial<Record<Dialect['name'], { toInteger: string; notAnInteger: string; respelled: string; scratchLeft: string }>> = {
  postgres: {
    toInteger: 'CAST(a AS integer)',
    notAnInteger: 'invalid input syntax for type integer',
    // int4 is how the declaration spells it; the server stores integer.
    respelled: "native('int4')",
    scratchLeft: "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'dbtide_verify%'",
  },
  mysql: {
    // Strict mode turns the truncation warning into an error, in a trigger as in a statement.
    toInteger: 'CAST(a AS SIGNED)',
    notAnInteger: 'Truncated incorrect INTEGER value',
    respelled: "native('integer')",
    scratchLeft: "SELECT count(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbtide_verify%'",
  },
};

const failed = (report: ChainReport) =>
  report.releases.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => ({ release: r.release, check: c.name, summary: c.summary, details: c.details ?? [] })));

describe.each(targets)('verify-chain over the example chain on $name', (target) => {
  const url = SERVER_URL[target.name]();
  it('passes every check of every release', async () => {
    const report = await verifyChain({ migrations: MIGRATIONS, ...(url ? { url } : {}) });
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.releases.map((r) => [r.release, r.checks.map((c) => c.name)])).toEqual([
      ['001-icehouse', ['install', 'seed']],
      ['002-juno', CHECKS_PER_UPGRADE],
      ['003-kilo', CHECKS_PER_UPGRADE],
      ['004-liberty', CHECKS_PER_UPGRADE],
    ]);
  }, 180_000);
});

/** Broken chains, on the servers: PGlite runs PostgreSQL's SQL, which the postgres run covers. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('verify-chain on $name', (target) => {
  const url = SERVER_URL[target.name]()!;
  const dialect = DIALECT[target.dialect.name]!;
  const dir = releaseDir();
  const chains: { remove(): void }[] = [];
  afterAll(() => [dir, ...chains].forEach((d) => d.remove()));

  const scratchDatabasesLeft = async () => {
    const admin = await target.dialect.connect(url);
    try {
      const [row] = await admin.query<{ n: unknown }>(dialect.scratchLeft);
      return Number(row!.n);
    } finally {
      await admin.close();
    }
  };

  let folders: Record<string, string>;
  beforeAll(() => {
    /** A chain of two releases: a base table, and what the test puts in the second release. */
    const make = (name: string, second: string, base = "t: { columns: { id: 'int', a: 'text', b: 'text' }, primaryKey: ['id'] }") => {
      const sub = releaseDir();
      chains.push(sub);
      sub.write('001-base.ts', `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '001-base', tables: { ${base} } });\n`);
      const imports = `import { defineSchema, derive, fillColumn, native } from 'dbtide';\nimport base from './001-base.js';\nvoid base; void derive; void fillColumn; void native;\n`;
      sub.write('002-next.ts', `${imports}export default defineSchema({ release: '002-next', ${second} });\n`);
      return [name, sub.dir] as const;
    };
    folders = Object.fromEntries([
      // b disappears from the declaration without a tombstone: dbtide never drops it, a fresh install never has it.
      make('undeclared drop', "follows: '001-base', tables: { t: { columns: { id: 'int', a: 'text' }, primaryKey: ['id'] } }"),
      // A new NOT NULL column filled from what old code writes, by an expression old code's values break.
      make('new required column', `extends: base, tables: { t: { columns: { c: { type: 'int', nullable: false } } } }, transitions: [fillColumn('t', 'c', '${dialect.toInteger}')]`),
      // full keeps only the first name; the way back cannot restore the last.
      make(
        'lossy transition',
        `extends: base, tables: { t: { columns: { full_name: 'text' } } }, transitions: [derive('t', { forward: { full_name: 'a' }, backward: { a: 'full_name', b: "''" }, retires: ['a', 'b'] })]`,
      ),
      make('broken invariant', `extends: base, invariants: { 'no a-1': "SELECT id FROM t WHERE a = 'a-1'" }`),
      // The declaration spells the type one way, the server stores it under another name: every contract changes it again.
      make('not idempotent', `extends: base, tables: { t: { columns: { n: { type: ${dialect.respelled} } } } }`),
      // Expand drops the tombstoned check (a relaxation); a rollback leaves its return to the base's own plan.
      make(
        'relaxed check',
        "extends: base, tables: { t: { removed: { constraints: ['t_a_check'] } } }",
        "t: { columns: { id: 'int', a: 'text', b: 'text' }, primaryKey: ['id'], checks: [{ name: 't_a_check', expression: \"a <> ''\" }] }",
      ),
    ]);
  });

  it.each([
    ['undeclared drop', '002-next', 'schema-equality', '1 difference(s) from a fresh install', 't: column b only in the upgraded database (text NULL)'],
    ['new required column', '002-next', 'compatibility', "1 table(s) refuse a release's reads or writes after expand", '001-base code on t: insert: NOT_AN_INTEGER'],
    ['lossy transition', '002-next', 'data', '1 data problem(s)', 'row(s) do not come back (e.g. id=1, id=2, id=3'],
    ['broken invariant', '002-next', 'data', '1 data problem(s)', 'invariant "no a-1" returned 1 row(s), e.g. {"id":1}'],
    ['not idempotent', '002-next', 'contract', 'contract is not idempotent: a rerun would run 1 step(s) again', 'contract ran every step, yet the live schema still differs: alter-column-type:t.n'],
  ])('fails a chain with %s, naming the release, the check and why', async (name, release, check, summary, detail) => {
    const report = await verifyChain({ migrations: folders[name]!, url });
    expect(report.ok).toBe(false);
    // The first failure names the cause; later checks of that release may fail in its wake.
    const [failure] = failed(report);
    expect(failure).toMatchObject({ release, check, summary });
    expect(failure!.details.join('\n')).toContain(detail.replace('NOT_AN_INTEGER', dialect.notAnInteger));
  }, 120_000);

  it('passes a release that relaxes a constraint in expand: its rollback leaves the constraint to the earlier release\'s phases', async () => {
    const report = await verifyChain({ migrations: folders['relaxed check']!, url });
    expect(failed(report)).toEqual([]);
    const rollback = report.releases[1]!.checks.find((c) => c.name === 'rollback')!;
    expect(rollback.summary).toMatch(/^0 step\(s\) back to 001-base, its rows unchanged, a rerun a no-op, its code working; 1 relaxation\(s\) left to 001-base's own phases; expand again converged \(0 step\(s\)\)$/);
  }, 120_000);

  it('seeds with the chain seed from a given release', async () => {
    const report = await verifyChain({ migrations: MIGRATIONS, url, from: '003-kilo', seed: true });
    expect(failed(report)).toEqual([]);
    expect(report.releases.map((r) => r.release)).toEqual(['003-kilo', '004-liberty']);
    expect(report.releases[0]!.checks.find((c) => c.name === 'seed')!.summary).toBe('seed.ts seeded the first release');
  }, 120_000);

  it('the CLI exits 1 on a broken chain, writes JUnit, and leaves no scratch database behind, also after Ctrl-C', async () => {
    const before = await scratchDatabasesLeft();
    const junit = join(dir.dir, 'verify.xml');
    const result = await runCli(['verify-chain', '--url', url, '--migrations', folders['undeclared drop']!, '--junit', junit]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('schema-equality  FAIL');
    expect(result.stdout).toContain('t: column b only in the upgraded database (text NULL)');
    expect(readFileSync(junit, 'utf8')).toContain('<testcase classname="dbtide.verify-chain.002-next" name="schema-equality"');
    expect(await scratchDatabasesLeft()).toBe(before);
    const interrupted = startCli(['verify-chain', '--url', url, '--migrations', MIGRATIONS]);
    await interrupted.stderrMatches(/PASS 002-juno expand/);
    interrupted.child.kill('SIGINT');
    const stopped = await interrupted.done;
    expect([stopped.code, stopped.stderr]).toEqual([130, expect.stringMatching(/SIGINT, dropping 1 scratch database\(s\)/)]);
    expect(await scratchDatabasesLeft()).toBe(before);
    const bad = await runCli(['verify-chain', '--migrations', MIGRATIONS, '--from', 'nope']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('--from nope: no such release')]);
  }, 120_000);
});
