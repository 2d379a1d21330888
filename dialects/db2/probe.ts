import type { ExpressionProbeSql } from '../../src/dialect.js';
import { columnType, defaultSql } from './compiler.js';

/** Typed NULLs and casts: Db2 types an expression from its operands, and an untyped NULL has none. */
export const db2Probe: ExpressionProbeSql = {
  nullOf: (type) => `CAST(NULL AS ${columnType(type)})`,
  valueOf: (expression, type) => `CAST((${expression}) AS ${columnType(type)})`,
  defaultOf: (column) => defaultSql(column.default!),
  // A Db2 default is a constant or a special register: it reads no column.
  defaultsReadRow: false,
  // EXPLAIN needs the explain tables; compiling a query of no rows types the expression just as well.
  // Every probe selects one value, named here so the derived table's column has a name.
  explain: (select) => `SELECT 1 FROM (${select}) AS "DBTIDE_PROBE" ("V") WHERE 1 = 0`,
  fromNoTable: ' FROM SYSIBM.SYSDUMMY1',
};
