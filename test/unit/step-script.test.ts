import { describe, expect, it } from 'vitest';
import { db2Runtime } from '../../dialects/db2/runtime.js';
import { mysqlRuntime } from '../../dialects/mysql/runtime.js';
import { postgresRuntime } from '../../dialects/postgres/runtime.js';
import { planScripts, scriptSql, sessionSql, stepScript } from '../../src/execute/step-script.js';
import type { Step } from '../../src/plan/step.js';

const step = (id: string, sql: string[], extra: Partial<Step> = {}) => ({ id, sql, transactional: true, ...extra }) as Step;
const transactional = { transactionalDdl: true };

describe('what a run issues around a step, as plan and --dry-run print it', () => {
  it('PostgreSQL: a step in one transaction sets its own cap, local to it', () => {
    const s = step('add-column:t.a', ['ALTER TABLE "t" ADD COLUMN "a" text', 'COMMENT ON COLUMN "t"."a" IS \'x\'']);
    const script = stepScript(transactional, postgresRuntime, s);
    expect(script).toEqual({ atomic: true, units: [{ statements: s.sql, uncapped: false }] });
    expect(scriptSql(postgresRuntime, script, 50)).toEqual(['BEGIN', "SET LOCAL lock_timeout = '50ms'", ...s.sql, 'COMMIT']);
  });

  it('PostgreSQL: a CONCURRENTLY build runs uncapped, statement by statement, and the cap comes back after it', () => {
    const s = step('add-index:t.i', ['CREATE INDEX CONCURRENTLY "i" ON "t" ("a")', 'COMMENT ON INDEX "i" IS \'x\'']);
    const script = stepScript(transactional, postgresRuntime, s);
    expect(script.atomic).toBe(false);
    expect(script.units.map((u) => u.uncapped)).toEqual([true, false]);
    expect(scriptSql(postgresRuntime, script, 80)).toEqual([
      "SET lock_timeout = '0ms'",
      'CREATE INDEX CONCURRENTLY "i" ON "t" ("a")',
      "SET lock_timeout = '80ms'",
      'COMMENT ON INDEX "i" IS \'x\'',
    ]);
  });

  it('MySQL: DDL commits on its own, so each statement runs under the session cap set once, in whole seconds', () => {
    const s = step('set-not-null:t.a', ['ALTER TABLE `t` MODIFY COLUMN `a` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE']);
    const script = stepScript({ transactionalDdl: false }, mysqlRuntime, s);
    expect(script.atomic).toBe(false);
    expect(scriptSql(mysqlRuntime, script, 1000)).toEqual(s.sql);
    expect(sessionSql(mysqlRuntime, 500)).toEqual(['SET SESSION lock_wait_timeout = 1', 'SET SESSION innodb_lock_wait_timeout = 1']);
  });

  it('MySQL: statements that run together stay one unit, retried as one', () => {
    const s = step('add-fk:c.f', ['SET foreign_key_checks = 0', 'ALTER TABLE `c` ADD CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `p` (`id`)', 'SET foreign_key_checks = 1'], { together: true });
    expect(stepScript({ transactionalDdl: false }, mysqlRuntime, s).units).toEqual([{ statements: s.sql, uncapped: false }]);
  });

  it('Db2: a unit of work opens with its first statement, so no BEGIN is printed', () => {
    const s = step('add-column:T.A', ['ALTER TABLE "T" ADD COLUMN "A" INTEGER']);
    expect(scriptSql(db2Runtime, stepScript(transactional, db2Runtime, s), 1000)).toEqual(['SET CURRENT LOCK TIMEOUT WAIT 1', ...s.sql, 'COMMIT']);
  });

  it('a non-transactional step, and data work, print their statements as they are', () => {
    const plain = step('drop-index:t.i', ['DROP INDEX CONCURRENTLY "i"'], { transactional: false });
    const work = step('backfill:t.a', ['UPDATE "t" SET "a" = "b" WHERE ...'], { work: { kind: 'backfill' } as Step['work'] });
    const scripts = planScripts(transactional, postgresRuntime, [plain, work], 50);
    expect(scripts.session).toEqual(["SET lock_timeout = '50ms'"]);
    expect(scripts.steps['drop-index:t.i']).toEqual(["SET lock_timeout = '0ms'", 'DROP INDEX CONCURRENTLY "i"', "SET lock_timeout = '50ms'"]);
    expect(scripts.steps['backfill:t.a']).toEqual(work.sql);
  });
});
