import type { Connection, Dialect } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredExpression, ProbeRow } from './declared-expressions.js';

/** An expression the server refused, with its own words. */
export interface RefusedExpression {
  expression: DeclaredExpression;
  reason: string;
}

type ProbeDialect = Pick<Dialect, 'probe' | 'compiler'>;

function rowSource(row: ProbeRow, dialect: ProbeDialect): string {
  const q = dialect.compiler.quote;
  const columns = row.columns.map((c) => `${dialect.probe.nullOf(c.type)} AS ${q(c.name)}`).join(', ');
  return `(SELECT ${columns}${dialect.probe.fromNoTable}) AS ${q(row.alias)}`;
}

/**
 * The statement that makes the server parse, resolve and type the expression without reading a
 * row (`ExpressionProbeSql.explain`): the row is a derived table of NULLs, so tables that do not exist yet are
 * probed the same way.
 */
export function probeStatement(e: DeclaredExpression, dialect: ProbeDialect): string {
  const { probe } = e;
  switch (probe.kind) {
    case 'condition':
      return dialect.probe.explain(`SELECT 1 FROM ${rowSource(probe.row, dialect)} WHERE (${probe.expression})`);
    case 'value': {
      const value = probe.type === null ? `(${probe.expression})` : dialect.probe.valueOf(probe.expression, probe.type);
      return dialect.probe.explain(`SELECT ${value} FROM ${rowSource(probe.row, dialect)}`);
    }
    case 'default': {
      const value = dialect.probe.valueOf(dialect.probe.defaultOf(probe.column), probe.column.type);
      return dialect.probe.explain(`SELECT ${value}${dialect.probe.defaultsReadRow ? ` FROM ${rowSource(probe.row, dialect)}` : dialect.probe.fromNoTable}`);
    }
  }
}

/**
 * `setup`: statements that create what the plan creates and the expressions name (sequences, types),
 * run first in each probe's transaction, which then turns read-only; the rollback removes them.
 * Asks the server about each expression, one EXPLAIN apiece, each in a read-only transaction that
 * is rolled back: a statement smuggled into an expression is refused, and nothing is kept. One
 * transaction apiece, because PostgreSQL refuses every statement after an error until the rollback;
 * only the EXPLAIN's own error is a refusal, a failure to begin or end the transaction is thrown.
 */
export async function probeExpressions(
  conn: Connection,
  dialect: ProbeDialect,
  expressions: DeclaredExpression[],
  setup: string[] = [],
): Promise<RefusedExpression[]> {
  const refused: RefusedExpression[] = [];
  // Without an expression to probe, the setup is still tried: a domain check the server refuses stops the plan here.
  if (expressions.length === 0 && setup.length > 0) {
    await conn.transaction(async () => null, { readOnly: true, setup }).catch((error: unknown) => {
      throw setupRefused(error);
    });
  }
  for (const expression of expressions) {
    const reason = await conn.transaction(async () => {
      try {
        await conn.query(probeStatement(expression, dialect));
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    }, { readOnly: true, ...(setup.length > 0 ? { setup } : {}) }).catch((error: unknown) => {
      throw setup.length > 0 ? setupRefused(error) : error;
    });
    if (reason !== null) refused.push({ expression, reason });
  }
  return refused;
}

/** The objects the probe creates first are the release's own: the server refusing one is the release's problem. */
function setupRefused(error: unknown): unknown {
  if (error instanceof DbtideError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DbtideError(
    `the server refuses a sequence, domain or enum type the release declares (created and rolled back to check the release's expressions); nothing was changed:\n  ${reason}`,
    1,
    'fix the sequence options, the domain (its type, default or checks) or the enum type in the release file',
  );
}

/** One error for every refused expression: where each was declared, what it says, and why the server refused it. */
export function refusedExpressionsError(release: string, refused: RefusedExpression[]): DbtideError {
  const lines = refused.map(({ expression: e, reason }) => `  ${e.table}: ${e.what} (${e.path}): ${e.expression}\n    the server says: ${reason}`);
  return new DbtideError(
    `release ${release} declares ${refused.length} SQL expression(s) the server refuses; nothing was changed:\n${lines.join('\n')}`,
    1,
    'fix the expression in the release file (a transition expression reads the row\'s columns by their plain names); nothing was changed, so run the command again afterwards',
    { issues: refused.map(({ expression: e, reason }) => ({ path: e.path, message: `${e.what} on ${e.table}: ${e.expression}: ${reason}` })) },
  );
}
