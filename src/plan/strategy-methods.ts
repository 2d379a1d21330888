import type { SqlCompiler } from '../dialect.js';

type Optional = 'validateConstraint' | 'rebuildIndex' | 'setReplicaIdentity' | 'addExclusion' | 'setDeferrable' | 'reorgTable';

/**
 * The compiler method a strategy needs (src/dialect.ts names which): a dialect that chose the
 * strategy without the method is wrong, and the dialect conformance test says so first.
 */
export function strategyMethod<K extends Optional>(sql: SqlCompiler, method: K, strategy: string): NonNullable<SqlCompiler[K]> {
  const found = sql[method];
  if (!found) throw new Error(`internal: the ${strategy} strategy needs SqlCompiler.${method}, which this dialect's compiler lacks`);
  return found;
}
