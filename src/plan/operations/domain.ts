/** Domains: created and relaxed in expand; tightened in contract after a scan of every column of the domain. */
import { fact, type Operation } from '../operation.js';
import type { Precheck } from '../step.js';
import { draft, sqlOf, typeFact } from './schema-object-draft.js';

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
