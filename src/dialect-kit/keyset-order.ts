/**
 * `a > x1 OR (a = x1 AND b > x2)` for `op` `>`: the keyset order spelled column by column, for a
 * server without row-value comparison (Db2) or that walks no index for one (MariaDB). The last
 * column takes `last` (`<=` closes an upper bound).
 */
export function keysetBeyond(columns: string[], bounds: string[], op: '>' | '<', last: string): string {
  const terms = columns.map((c, i) => {
    const equal = columns.slice(0, i).map((e, j) => `${e} = ${bounds[j]}`);
    const step = [...equal, `${c} ${i === columns.length - 1 ? last : op} ${bounds[i]}`];
    return step.length > 1 ? `(${step.join(' AND ')})` : step[0]!;
  });
  return terms.length > 1 ? `(${terms.join(' OR ')})` : terms[0]!;
}
