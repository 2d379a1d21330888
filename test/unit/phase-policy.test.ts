import { describe, expect, it } from 'vitest';
import type { JournaledStatement } from '../../src/execute/ledger.js';
import { policyBreaches } from '../../src/verify/phase-policy.js';

const ran = (phase: JournaledStatement['phase'], step_id: string, ...sqls: string[]): JournaledStatement[] => sqls.map((sql) => ({ phase, step_id, sql }));

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

  it('names what contract created besides unique indexes and constraints', () => {
    expect(policyBreaches(ran('contract', 'c', 'ALTER TABLE "t" ADD COLUMN "c" text', 'CREATE TABLE "n" (id int)'))).toEqual([
      'contract created something (belongs in expand): ALTER TABLE "t" ADD COLUMN "c" text',
      'contract created something (belongs in expand): CREATE TABLE "n" (id int)',
    ]);
  });
});
