import { describe, expect, it } from 'vitest';
import type { JournaledStatement } from '../../src/execute/ledger.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { policyBreaches as breachesOf } from '../../src/verify/phase-policy.js';

const ran = (phase: JournaledStatement['phase'], step_id: string, ...sqls: string[]): JournaledStatement[] => sqls.map((sql) => ({ phase, step_id, sql }));
/** What ran on PostgreSQL, read as PostgreSQL reads it. */
const policyBreaches = (ran: JournaledStatement[]) => breachesOf(ran, postgresStatements);

describe('policyBreaches: what ran, classified on its text', () => {
  it('accepts additive expand, validation in migrate, tightening and removal in contract', () => {
    expect(policyBreaches([
      ...ran('expand', 'a', 'ALTER TABLE "t" ADD COLUMN "c" text', 'CREATE INDEX CONCURRENTLY "i" ON "t" ("c")'),
      ...ran('migrate', 'b', 'ALTER TABLE "t" VALIDATE CONSTRAINT "f"'),
      ...ran('contract', 'c', 'CREATE UNIQUE INDEX CONCURRENTLY "u" ON "t" ("c")', 'ALTER TABLE "t" ADD CONSTRAINT "u" UNIQUE USING INDEX "u"', 'ALTER TABLE "t" DROP COLUMN "old"'),
    ])).toEqual([]);
  });

  it('names a destructive statement in expand or migrate', () => {
    expect(policyBreaches([...ran('expand', 'a', 'ALTER TABLE "t" DROP COLUMN "c"'), ...ran('migrate', 'b', 'DROP TABLE "x"')])).toEqual([
      'expand ran a destructive statement: ALTER TABLE "t" DROP COLUMN "c"',
      'migrate ran a destructive statement: DROP TABLE "x"',
    ]);
  });

  it('accepts a table rename in expand only with the view over it in the same step', () => {
    const rename = 'ALTER TABLE "hosts" RENAME TO "machines"';
    expect(policyBreaches(ran('expand', 'r', rename, 'CREATE VIEW "hosts" AS SELECT * FROM "machines"'))).toEqual([]);
    expect(policyBreaches([...ran('expand', 'r', rename), ...ran('expand', 'v', 'CREATE VIEW "hosts" AS SELECT * FROM "machines"')])).toEqual([
      `expand ran a destructive statement: ${rename}`,
    ]);
  });

  // Its DDL commits statement by statement: old code would miss the old name between the two.
  it("reads what ran with the dialect's classifier: on MySQL, a view after the rename does not compensate it", () => {
    const step = ran('expand', 'r', 'ALTER TABLE `hosts` RENAME TO `machines`', 'CREATE VIEW `hosts` AS SELECT * FROM `machines`');
    expect(breachesOf(step, mysqlStatements)).toEqual(['expand ran a destructive statement: ALTER TABLE `hosts` RENAME TO `machines`']);
  });

  it('names what contract created besides unique indexes and constraints', () => {
    expect(policyBreaches(ran('contract', 'c', 'ALTER TABLE "t" ADD COLUMN "c" text', 'CREATE TABLE "n" (id int)'))).toEqual([
      'contract created something (belongs in expand): ALTER TABLE "t" ADD COLUMN "c" text',
      'contract created something (belongs in expand): CREATE TABLE "n" (id int)',
    ]);
  });
});
