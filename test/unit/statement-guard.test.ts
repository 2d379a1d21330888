import { describe, expect, it } from 'vitest';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { guardStatement, guardStep, PolicyViolation } from '../../src/execute/statement-guard.js';
import type { StatementClass, StatementClassifier } from '../../src/model/statement-class.js';
import type { Phase } from '../../src/plan/step.js';

/** The phase policy; each dialect's reading of its SQL is tested in <dialect>-statement-classes.test.ts. */
describe('guardStatement', () => {
  const refused = (phase: Phase, sql: string, cls: StatementClass, classifier: StatementClassifier = postgresStatements) => {
    let error: unknown;
    try {
      guardStatement(phase, sql, classifier);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolation);
    const v = error as PolicyViolation;
    expect([v.name, v.phase, v.statement, v.statementClass]).toEqual(['PolicyViolation', phase, sql, cls]);
    expect(v.message).toBe(
      `refused: a ${cls} statement may not run in ${phase} while old application code is live:\n  ${sql}\n` +
        'Destructive, rewriting and unrecognized statements run only in contract.',
    );
  };

  const destructive = 'DROP TABLE IF EXISTS "legacy"';
  const rewrite = 'ALTER TABLE "t" ALTER COLUMN "n" TYPE bigint USING "n"::bigint';
  const unknown = 'VACUUM FULL t';
  const tightening = 'ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL';
  const validation = 'ALTER TABLE "t" VALIDATE CONSTRAINT "c"';
  const data = 'UPDATE t SET a = b WHERE id < 1000';

  it.each<[string, StatementClass]>([
    [destructive, 'destructive'],
    [rewrite, 'rewrite'],
    [unknown, 'unknown'],
  ])('refuses %j (%s) in expand and migrate, allows it in contract', (sql, cls) => {
    refused('expand', sql, cls);
    refused('migrate', sql, cls);
    expect(() => guardStatement('contract', sql, postgresStatements)).not.toThrow();
  });

  it('a table lock runs only in contract', () => {
    refused('expand', 'LOCK TABLES `t` WRITE', 'rewrite', mysqlStatements);
    refused('migrate', 'LOCK TABLES `t` WRITE', 'rewrite', mysqlStatements);
    expect(() => guardStatement('contract', 'LOCK TABLES `t` WRITE', mysqlStatements)).not.toThrow();
  });

  it('allows tightening in expand (new objects) and contract, not in migrate', () => {
    expect(() => guardStatement('expand', tightening, postgresStatements)).not.toThrow();
    refused('migrate', tightening, 'tightening');
    expect(() => guardStatement('contract', tightening, postgresStatements)).not.toThrow();
  });

  it('allows validation and data in migrate and contract, not in expand', () => {
    for (const [sql, cls] of [[validation, 'validation'], [data, 'data']] as const) {
      refused('expand', sql, cls);
      expect(() => guardStatement('migrate', sql, postgresStatements)).not.toThrow();
      expect(() => guardStatement('contract', sql, postgresStatements)).not.toThrow();
    }
  });

  it.each(['expand', 'migrate', 'contract'] as const)('allows read, session, additive, relaxing and maintenance in %s', (phase) => {
    for (const sql of [
      'SELECT 1',
      "SET lock_timeout = '2s'",
      'CREATE INDEX CONCURRENTLY i ON t (a)',
      'ALTER TABLE t ALTER COLUMN c DROP NOT NULL',
      'REINDEX INDEX CONCURRENTLY i',
    ]) {
      expect(() => guardStatement(phase, sql, postgresStatements)).not.toThrow();
    }
  });

  it('a destructive action inside a multi-action ALTER TABLE is refused in expand', () => {
    refused('expand', 'ALTER TABLE t ADD COLUMN a int, DROP COLUMN b', 'destructive');
  });

  // numeric(10,2) -> numeric(12,2) is metadata-only for PostgreSQL (capabilities), so the planner
  // schedules it in expand. The guard cannot see the old type and trusts the planner for it.
  it('the metadata-only numeric widening the planner puts in expand passes the guard there', () => {
    const sql = postgresCompiler.alterColumnType('orders', { name: 'amount', type: { kind: 'numeric', precision: 12, scale: 2 }, nullable: true, default: null, identity: null }, { inPlace: true });
    expect(sql.sql).toBe('ALTER TABLE "orders" ALTER COLUMN "amount" TYPE numeric(12,2) USING "amount"::numeric(12,2)');
    expect(() => guardStatement('expand', sql.sql, postgresStatements)).not.toThrow();
  });
});

describe('guardStep', () => {
  /** Classes by statement, and one statement the dialect takes for a compensated rename. */
  const classifier = (classes: Record<string, StatementClass>, compensated: string): StatementClassifier => ({
    classify: (sql) => classes[sql] ?? 'unknown',
    count: () => 1,
    compensatedRename: (sqls, i) => sqls[i] === compensated,
    ownObjectsOnly: () => false,
  });
  const dialect = classifier({ rename: 'destructive', view: 'additive', drop: 'destructive' }, 'rename');

  it("lets a rename the dialect finds compensated run in expand, and guards the step's other statements", () => {
    expect(() => guardStep('expand', ['rename', 'view'], dialect)).not.toThrow();
    expect(() => guardStep('expand', ['rename', 'view', 'drop'], dialect)).toThrow(PolicyViolation);
  });

  it('guards a statement the dialect does not take for a compensated rename by its class', () => {
    const none = classifier({ rename: 'destructive', view: 'additive' }, '');
    expect(() => guardStep('expand', ['rename', 'view'], none)).toThrow(/a destructive statement may not run in expand/);
    expect(() => guardStep('contract', ['rename', 'view'], none)).not.toThrow();
  });
});
