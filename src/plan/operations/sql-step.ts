import { DbtideError } from '../../errors.js';
import { guardStep } from '../../execute/statement-guard.js';
import { RAW_SQL_LOCK, withLock } from '../../model/locks.js';
import type { Operation } from '../operation.js';

/**
 * The release author's statements, in the phase they declared. The statement guard reads them
 * while planning already, so a statement the phase forbids stops `plan` (and every phase) before
 * anything runs; its reading also says whether the step removes something, which contract's
 * confirmation then lists. The executor journals the statements one by one (DDL commits on its
 * own on MySQL) and records the step in the ledger once all ran.
 */
export const sqlStep: Operation<'sql'> = ({ step }, ctx) => {
  const classifier = ctx.statements;
  const miscounted = step.up.flatMap((sql, i) => {
    const n = classifier.count(sql);
    return n === 1 ? [] : [`up[${i}] holds ${n === 0 ? 'no statement' : `${n} statements`}`];
  });
  if (miscounted.length > 0) {
    throw new DbtideError(
      `raw step ${step.id}: ${miscounted.join('; ')}; nothing was changed`,
      1,
      'give `up` one statement per entry: each is journaled on its own, and a server running DDL outside transactions commits each on its own',
    );
  }
  guardStep(step.phase, step.up, classifier, step.id);
  ctx.warn(`${step.id}: raw SQL; dbtide cannot tell what it locks or for how long: read it before running ${step.phase} on a live database`);
  const destructive = step.up.some((sql) => classifier.classify(sql) === 'destructive');
  return [{
    operation: 'sql',
    name: step.name,
    earliest: step.phase,
    table: '',
    description: `raw SQL: ${step.description}`,
    ...(destructive ? { destructive } : {}),
    render: () => withLock(RAW_SQL_LOCK, ...step.up),
    lock: RAW_SQL_LOCK,
    transactional: true,
    prechecks: () => [],
    provides: [],
    needs: [],
    raw: { hash: step.hash, down: step.down },
  }];
};
