import { sameColumnType } from '../model/column-type.js';
import { builtOnTheOldColumn, columnUsers, keyedTable } from '../model/column-users.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import { noOwnedObjects, type ColumnSync } from '../model/transition.js';

/**
 * Old columns that a column sync about to be installed reads, yet the live table lacks. Its
 * trigger would read them on every write, and every INSERT and UPDATE of the table would fail
 * (PostgreSQL) or the phase would stop half applied (MySQL). A release that extends another is
 * checked against it when it is declared; this catches the rest against the live schema.
 * A sync whose trigger exists, or whose backfill finished, is past that point: its old columns
 * may be gone by design (contract drops them).
 */
export function missingTransitionSources(declared: DeclaredSchema, live: SchemaModel): string[] {
  const owned = live.owned ?? noOwnedObjects();
  const problems: string[] = [];
  declared.transitions.forEach((t, i) => {
    if (t.kind !== 'column-sync') return;
    const table = live.tables[t.table];
    if (!table) return;
    const installed = owned.triggers.some((tr) => tr.table === t.table && tr.name === t.trigger) || owned.finishedJobs.includes(t.id);
    if (installed) return;
    const have = new Set(table.columns.map((c) => c.name));
    const targets = t.swap ? [] : Object.keys(t.forward);
    // Every target live and no old column left: a finished sync whose ledger is gone (a pulled copy).
    if (targets.length > 0 && targets.every((c) => have.has(c)) && oldColumns(t).every((c) => !have.has(c))) return;
    const missing = oldColumns(t).filter((c) => !have.has(c));
    if (missing.length === 0) return;
    problems.push(
      `transitions[${i}] (${t.declaredAs}) on ${t.table} reads ${missing.map((c) => `"${c}"`).join(', ')}, which the live table does not have ` +
        `(its columns: ${[...have].join(', ')})`,
    );
  });
  return problems;
}

const oldColumns = (t: ColumnSync): string[] => [...new Set([...t.sources, ...t.retires, ...Object.keys(t.backward), ...(t.swap ? [t.swap.column] : [])])];

/**
 * What the live table builds on a column a change-type is yet to swap (its shadow exists, or its
 * type is still the old one): the swap would drop it with the old column. Checked against the live
 * schema because a release that does not extend another has no previous release to ask; once the
 * swap is done, what the column carries was built after it.
 */
export function builtOnSwappedColumns(declared: DeclaredSchema, live: SchemaModel): string[] {
  const tables = Object.values(live.tables).map(keyedTable);
  return declared.transitions.flatMap((t, i) => {
    if (t.kind !== 'column-sync' || !t.swap) return [];
    const { column, shadow, type } = t.swap;
    const table = live.tables[t.table];
    const current = table?.columns.find((c) => c.name === column);
    if (!table || !current) return [];
    if (!table.columns.some((c) => c.name === shadow) && sameColumnType(current.type, type)) return [];
    return columnUsers(keyedTable(table), column, tables).map(
      (u) => `transitions[${i}] (${t.declaredAs}): ${builtOnTheOldColumn(t.table, column, `${u.label} in the live database`)}`,
    );
  });
}
