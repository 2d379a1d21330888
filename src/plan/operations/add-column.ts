import { fact, type Operation, type StepDraft } from '../operation.js';
import { definitionComments } from './set-comment.js';
import { setNotNull } from './set-not-null.js';

/**
 * A new column on a live table. Old code does not write it, so until contract it must accept
 * rows that leave it out: it is added nullable unless a constant default fills it instantly.
 */
export const addColumn: Operation<'add-column'> = ({ table, column }, ctx) => {
  const name = `${table}.${column.name}`;
  const base = { table, transactional: true, prechecks: () => [], needs: [fact.table(table)] };
  if (column.identity) {
    ctx.warn(`${name}: adding an identity column fills every existing row, rewriting ${table} under an exclusive lock; it runs in contract`);
    return [{
      ...base,
      operation: 'add-column',
      name,
      earliest: 'contract',
      description: `add identity column ${name} (rewrites the table)`,
      render: () => [ctx.sql.addColumn(table, column), ...definitionComments(table, undefined, [column], ctx)],
      provides: [fact.column(table, column.name), fact.notNull(table, column.name)],
    }];
  }
  const d = column.default;
  const volatile = d?.kind === 'sql' && !ctx.caps.isStableDefaultExpression(d.expression);
  const instantNotNull = !column.nullable && d !== null && !volatile && ctx.caps.constantDefaultIsInstant;
  const added = { ...column, nullable: column.nullable || !instantNotNull, default: volatile ? null : d };
  if (volatile) {
    ctx.warn(`${name}: the default ${d.expression} is volatile; existing rows get NULL and new rows the default (declare a transition to backfill them)`);
  }
  const add: StepDraft = {
    ...base,
    operation: 'add-column',
    name,
    earliest: 'expand',
    description: `add column ${name}${added.nullable && !column.nullable ? ' (nullable until contract)' : ''}`,
    render: () => [ctx.sql.addColumn(table, added), ...definitionComments(table, undefined, [added], ctx), ...(volatile ? [ctx.sql.setDefault(table, column)] : [])],
    provides: [fact.column(table, column.name), ...(added.nullable ? [] : [fact.notNull(table, column.name)])],
  };
  const tighten = added.nullable && !column.nullable ? setNotNull({ kind: 'set-not-null', table, column }, ctx) : [];
  return [add, ...tighten];
};
