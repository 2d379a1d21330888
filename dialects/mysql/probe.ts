import type { ExpressionProbeSql } from '../../src/dialect.js';
import { defaultSql } from './compiler.js';

/**
 * Plain NULLs: CAST takes only a few type names (an ENUM or a generated column's type is none of
 * them), and the server converts any value to any column type, so a type says nothing here.
 */
export const mysqlProbe: ExpressionProbeSql = {
  nullOf: () => 'NULL',
  valueOf: (expression) => `(${expression})`,
  defaultOf: (column) => defaultSql(column.default!, column.type),
  explain: (select) => `EXPLAIN ${select}`,
  fromNoTable: '',
  defaultsReadRow: true,
};
