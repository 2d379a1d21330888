/**
 * Rows numbered 1..n for tests that fill tables in one statement, on any dialect: PostgreSQL has
 * generate_series; MySQL 8 has nothing like it (its recursive CTEs stop at 1000 levels by
 * default, and MariaDB's seq_1_to_n tables are MariaDB's only), so there the numbers are digits
 * joined with themselves.
 */
import type { Dialect } from '../../src/dialect.js';

const DIGITS = `(${Array.from({ length: 10 }, (_, d) => `SELECT ${d} AS d`).join(' UNION ALL ')})`;

/** A derived table `alias` with one integer column `g` holding 1..n, to use after FROM. */
export function series(dialect: Dialect, n: number, alias = 's'): string {
  if (dialect.name === 'postgres') return `generate_series(1, ${n}) AS ${alias}(g)`;
  const places = Math.max(1, Math.ceil(Math.log10(n + 1)));
  const digits = Array.from({ length: places }, (_, i) => `${DIGITS} AS d${i}`).join(' CROSS JOIN ');
  const value = Array.from({ length: places }, (_, i) => `${10 ** i} * d${i}.d`).join(' + ');
  return `(SELECT ${value} + 1 AS g FROM ${digits} WHERE ${value} < ${n}) AS ${alias}`;
}
