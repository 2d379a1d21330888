import type { ExpressionProbeSql } from '../../src/dialect.js';
import { columnType, defaultSql } from './compiler.js';

/** Typed NULLs, so `text + 1` is refused as the column's type would refuse it. */
export const postgresProbe: ExpressionProbeSql = {
  nullOf: (type) => `CAST(NULL AS ${columnType(type)})`,
  valueOf: (expression, type) => `CAST((${expression}) AS ${columnType(type)})`,
  defaultOf: (column) => defaultSql(column.default!),
  explain: (select) => `EXPLAIN ${select}`,
  fromNoTable: '',
  defaultsReadRow: false,
};
