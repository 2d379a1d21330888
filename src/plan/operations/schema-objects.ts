/**
 * Sequences, domains and enum types. Created in expand before the tables and columns that use
 * them (their rank puts them first); removed in contract after the last table or column that
 * used them is gone. Nothing in between is rewritten except by an enum's rebuild, which contract
 * runs as its planned short outage.
 */
import type { SchemaObjectSql } from '../../dialect.js';
import { fact, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Precheck } from '../step.js';

/** The compiler's schema object SQL; the engine refused the release already where the server has none. */
function sqlOf(ctx: PlanContext): SchemaObjectSql {
  const found = ctx.sql.schemaObjects;
  if (!found) throw new Error(`internal: ${ctx.caps.server} declares schema objects without SqlCompiler.schemaObjects`);
  return found;
}

const sequenceFact = (name: string) => `sequence:${name}`;
const typeFact = (name: string) => `type:${name}`;

type Draft = Omit<StepDraft, 'table' | 'transactional' | 'prechecks' | 'provides' | 'needs'> & Partial<StepDraft>;

const draft = (d: Draft): StepDraft => ({ table: '', transactional: true, prechecks: () => [], provides: [], needs: [], ...d });

export const createSequence: Operation<'create-sequence'> = ({ sequence }, ctx) => [draft({
  operation: 'create-sequence',
  name: sequence.name,
  earliest: 'expand',
  description: `create sequence ${sequence.name}`,
  render: () => [sqlOf(ctx).createSequence(sequence)],
  provides: [sequenceFact(sequence.name)],
})];

/** New options take effect on the next value drawn; values already drawn stay. */
export const alterSequence: Operation<'alter-sequence'> = ({ sequence }, ctx) => [draft({
  operation: 'alter-sequence',
  name: sequence.name,
  earliest: 'expand',
  description: `change the options of sequence ${sequence.name}`,
  render: () => [sqlOf(ctx).alterSequence(sequence)],
})];

/** Set once the owning column exists, which a table created in this expand makes true. */
export const sequenceOwner: Operation<'sequence-owner'> = ({ sequence }, ctx) => {
  const owner = sequence.ownedBy;
  return [draft({
    operation: 'sequence-owner',
    name: sequence.name,
    earliest: 'expand',
    ...(owner ? { table: owner.table } : {}),
    description: owner ? `sequence ${sequence.name} is owned by ${owner.table}.${owner.column}` : `sequence ${sequence.name} is owned by no column`,
    render: () => [sqlOf(ctx).sequenceOwner(sequence)],
    needs: [sequenceFact(sequence.name), ...(owner ? [fact.table(owner.table), fact.column(owner.table, owner.column)] : [])],
  })];
};

export const dropSequence: Operation<'drop-sequence'> = ({ name }, ctx) => [draft({
  operation: 'drop-sequence',
  name,
  destructive: true,
  earliest: 'contract',
  description: `drop sequence ${name}`,
  render: () => [sqlOf(ctx).dropSequence(name)],
})];

export const createEnum: Operation<'create-enum'> = ({ enum: type }, ctx) => [draft({
  operation: 'create-enum',
  name: type.name,
  earliest: 'expand',
  description: `create enum type ${type.name} (${type.values.join(', ')})`,
  render: () => [sqlOf(ctx).createEnum(type)],
  provides: [typeFact(type.name)],
})];

/**
 * Both versions keep working: old code never writes the new value. The statement commits on its
 * own, since a value added in a transaction cannot be used before it commits (and before
 * PostgreSQL 12 could not be added inside one at all).
 */
export const addEnumValue: Operation<'add-enum-value'> = ({ enum: type, value, before, after }, ctx) => [draft({
  operation: 'add-enum-value',
  name: `${type}.${value}`,
  earliest: 'expand',
  description: `add value ${value} to enum type ${type}${after !== undefined ? ` after ${after}` : before !== undefined ? ` before ${before}` : ''}`,
  render: () => [sqlOf(ctx).addEnumValue(type, value, { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) })],
  transactional: false,
  provides: [typeFact(type)],
})];

/**
 * PostgreSQL cannot drop an enum value: the type is built anew and every column of it converted,
 * which rewrites those tables under ACCESS EXCLUSIVE. Contract only, once the precheck found no
 * row holding a removed value (the conversion would fail on it).
 */
export const rebuildEnum: Operation<'rebuild-enum'> = ({ enum: type, removed, users }, ctx) => {
  const sql = sqlOf(ctx);
  const prechecks: Precheck[] = users.map(({ table, column }) => ({
    kind: 'check',
    table,
    columns: [column.name],
    description: `no ${table}.${column.name} holds ${removed.join(', ')} (removed from enum type ${type.name})`,
    rule: { kind: 'check', check: { name: `${type.name}_removed_values`, expression: sql.enumValuesAbsent(column.name, removed), validated: true } },
  }));
  const tables = [...new Set(users.map((u) => u.table))];
  return [draft({
    operation: 'rebuild-enum',
    name: type.name,
    destructive: true,
    earliest: 'contract',
    description: `remove ${removed.join(', ')} from enum type ${type.name}: the type is rebuilt` +
      (tables.length > 0 ? `, rewriting ${tables.join(', ')} under ACCESS EXCLUSIVE` : ''),
    render: () => sql.rebuildEnum(type, users),
    prechecks: () => prechecks,
    needs: tables.map((t) => fact.table(t)),
  })];
};

export const dropEnum: Operation<'drop-enum'> = ({ name }, ctx) => [draft({
  operation: 'drop-enum',
  name,
  destructive: true,
  earliest: 'contract',
  description: `drop enum type ${name}`,
  render: () => [sqlOf(ctx).dropEnum(name)],
})];

export const createDomain: Operation<'create-domain'> = ({ domain }, ctx) => [draft({
  operation: 'create-domain',
  name: domain.name,
  earliest: 'expand',
  description: `create domain ${domain.name}`,
  render: () => [sqlOf(ctx).createDomain(domain)],
  provides: [typeFact(domain.name)],
})];

/** A default only fills values an insert leaves out: both versions keep working. */
export const domainDefault: Operation<'domain-default'> = ({ domain, value }, ctx) => [draft({
  operation: 'domain-default',
  name: domain,
  earliest: 'expand',
  description: `${value === null ? 'drop the default of' : 'set the default of'} domain ${domain}`,
  render: () => [sqlOf(ctx).domainDefault(domain, value)],
})];

/**
 * Dropping NOT NULL only lets more in (expand). Adding it refuses old code's NULLs: contract, after
 * a precheck of every column of the domain, as the server then scans them all again.
 */
export const domainNotNull: Operation<'domain-not-null'> = ({ domain, notNull, users }, ctx) => [draft({
  operation: 'domain-not-null',
  name: domain,
  ...(notNull ? {} : { relaxing: true as const }),
  earliest: notNull ? 'contract' : 'expand',
  description: notNull ? `domain ${domain} becomes NOT NULL (the server scans every column of the domain)` : `domain ${domain} accepts NULL (relaxing)`,
  render: () => [sqlOf(ctx).domainNotNull(domain, notNull)],
  prechecks: () => (notNull ? users.map(({ table, column }): Precheck => ({
    kind: 'not-null',
    table,
    columns: [column.name],
    description: `${table}.${column.name} has no NULL (domain ${domain} becomes NOT NULL)`,
    rule: { kind: 'not-null', columns: [column.name] },
  })) : []),
})];

/**
 * A check refuses what old code may still write, so it joins in contract, as a table's does: added
 * unvalidated (new values are checked at once), then validated over every column of the domain.
 */
export const addDomainCheck: Operation<'add-domain-check'> = ({ domain, check, existing, users }, ctx) => {
  const sql = sqlOf(ctx);
  const prechecks: Precheck[] = users.map(({ table, column }) => ({
    kind: 'check',
    table,
    columns: [column.name],
    description: `every ${table}.${column.name} satisfies ${check.expression} (check ${check.name} of domain ${domain})`,
    rule: { kind: 'check', check: { name: check.name, expression: sql.domainCheckOn(column.name, check.expression), validated: true } },
  }));
  return [draft({
    operation: 'add-domain-check',
    name: `${domain}.${check.name}`,
    earliest: 'contract',
    description: `${existing === 'none' ? 'add' : 'validate'} check ${check.name} on domain ${domain} (${check.expression})`,
    render: () => [...(existing === 'none' ? [sql.addDomainCheck(domain, check)] : []), sql.validateDomainCheck(domain, check.name)],
    transactional: false,
    prechecks: () => prechecks,
    needs: [fact.nameFree(`domain ${domain}`, check.name), ...new Set(users.map((u) => fact.table(u.table)))],
  })];
};

export const dropDomainCheck: Operation<'drop-domain-check'> = ({ domain, name, relaxes }, ctx) => [draft({
  operation: 'drop-domain-check',
  name: `${domain}.${name}`,
  ...(relaxes ? { relaxing: true as const } : { destructive: true as const }),
  earliest: relaxes ? 'expand' : 'contract',
  description: `drop check ${name} from domain ${domain}${relaxes ? ' (relaxing: both versions keep working)' : ''}`,
  render: () => [sqlOf(ctx).dropDomainCheck(domain, name)],
  provides: [fact.nameFree(`domain ${domain}`, name)],
})];

export const dropDomain: Operation<'drop-domain'> = ({ name }, ctx) => [draft({
  operation: 'drop-domain',
  name,
  destructive: true,
  earliest: 'contract',
  description: `drop domain ${name}`,
  render: () => [sqlOf(ctx).dropDomain(name)],
})];
