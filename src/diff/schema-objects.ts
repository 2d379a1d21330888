/**
 * Sequences, domains and enum types: created when declared and missing, changed where the change
 * is online-safe, dropped only when the release removes them. A change dbtide does not make
 * online is drift that says what to do instead.
 */
import type { ColumnModel, DeclaredSchema, DomainModel, EnumModel, SchemaModel, SequenceModel } from '../model/schema-model.js';
import { formatColumnType, sameColumnType } from '../model/column-type.js';
import { columnsOfType, domainsOver } from '../model/named-types.js';
import type { Change } from './changes.js';
import { sameDefault, sameExpression } from './same-expression.js';

const drift = (object: string, detail: string): Change => ({ kind: 'drift', table: '', object, detail });

export function diffSchemaObjects(declared: DeclaredSchema, live: SchemaModel): Change[] {
  return [...diffSequences(declared, live), ...diffEnums(declared, live), ...diffDomains(declared, live)];
}

/** Names of both sides, sorted. */
const namesOf = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) =>
  [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();

const SEQUENCE_OPTIONS = ['type', 'start', 'increment', 'min', 'max', 'cache', 'cycle'] as const;

function diffSequences(declared: DeclaredSchema, live: SchemaModel): Change[] {
  const changes: Change[] = [];
  for (const name of namesOf(declared.model.sequences, live.sequences)) {
    const want = declared.model.sequences?.[name];
    const have = live.sequences?.[name];
    if (want && !have) {
      changes.push({ kind: 'create-sequence', table: '', sequence: want });
      if (want.ownedBy) changes.push({ kind: 'sequence-owner', table: '', sequence: want });
    } else if (!want && have) {
      changes.push(declared.removed.sequences?.includes(name) ? { kind: 'drop-sequence', table: '', name } : drift(`sequence ${name}`, 'not in the declaration'));
    } else if (want && have) {
      if (SEQUENCE_OPTIONS.some((o) => want[o] !== have[o])) changes.push({ kind: 'alter-sequence', table: '', sequence: want });
      if (!sameOwner(want, have)) changes.push({ kind: 'sequence-owner', table: '', sequence: want });
    }
  }
  return changes;
}

const sameOwner = (a: SequenceModel, b: SequenceModel) => a.ownedBy?.table === b.ownedBy?.table && a.ownedBy?.column === b.ownedBy?.column;

function diffEnums(declared: DeclaredSchema, live: SchemaModel): Change[] {
  const changes: Change[] = [];
  for (const name of namesOf(declared.model.enums, live.enums)) {
    const want = declared.model.enums?.[name];
    const have = live.enums?.[name];
    if (want && !have) changes.push({ kind: 'create-enum', table: '', enum: want });
    else if (!want && have) {
      changes.push(declared.removed.enums?.includes(name) ? { kind: 'drop-enum', table: '', name } : drift(`enum type ${name}`, `(${have.values.join(', ')}) not in the declaration`));
    } else if (want && have) changes.push(...diffEnumValues(declared, want, have));
  }
  return changes;
}

function diffEnumValues(declared: DeclaredSchema, want: EnumModel, have: EnumModel): Change[] {
  const name = want.name;
  const kept = have.values.filter((v) => want.values.includes(v));
  const declaredOrder = want.values.filter((v) => have.values.includes(v));
  if (kept.join('\0') !== declaredOrder.join('\0')) {
    return [drift(`enum type ${name}`, `values are in the order (${have.values.join(', ')}), declared (${want.values.join(', ')}); ` +
      'PostgreSQL cannot reorder an enum\'s values in place: declare them in the live order, or declare a new type and change the columns to it')];
  }
  const changes: Change[] = [];
  // Each new value goes after the declared value before it (which exists by then), or before the first.
  want.values.forEach((value, i) => {
    if (have.values.includes(value)) return;
    const placed = i > 0 ? { after: want.values[i - 1]! } : have.values.length > 0 ? { before: kept[0] ?? have.values[0]! } : {};
    changes.push({ kind: 'add-enum-value', table: '', enum: name, value, ...placed });
  });
  const extra = have.values.filter((v) => !want.values.includes(v));
  const removed = extra.filter((v) => declared.removed.enumValues?.some((r) => r.enum === name && r.value === v));
  const undeclared = extra.filter((v) => !removed.includes(v));
  if (undeclared.length > 0) {
    changes.push(drift(`enum type ${name}`, `values ${undeclared.join(', ')} not in the declaration; declare them, or list them in removed.enumValues.${name}`));
  } else if (removed.length > 0) {
    const domains = domainsOver(declared.model, name);
    if (domains.length > 0) {
      changes.push(drift(`enum type ${name}`, `values ${removed.join(', ')} are removed, but domains ${domains.join(', ')} are built over the type, which dbtide does not rebuild; ` +
        'declare a new enum type and domain, and change the columns to them'));
    } else {
      changes.push({ kind: 'rebuild-enum', table: '', enum: want, removed, users: columnsOfType(declared.model.tables, name) });
    }
  }
  return changes;
}

function diffDomains(declared: DeclaredSchema, live: SchemaModel): Change[] {
  const changes: Change[] = [];
  for (const name of namesOf(declared.model.domains, live.domains)) {
    const want = declared.model.domains?.[name];
    const have = live.domains?.[name];
    if (want && !have) changes.push({ kind: 'create-domain', table: '', domain: want });
    else if (!want && have) {
      changes.push(declared.removed.domains?.includes(name) ? { kind: 'drop-domain', table: '', name } : drift(`domain ${name}`, `${formatColumnType(have.type)} not in the declaration`));
    } else if (want && have) changes.push(...diffDomain(want, have, columnsOfType(declared.model.tables, name)));
  }
  return changes;
}

function diffDomain(want: DomainModel, have: DomainModel, users: { table: string; column: ColumnModel }[]): Change[] {
  const domain = want.name;
  if (!sameColumnType(want.type, have.type)) {
    return [drift(`domain ${domain}`, `type is ${formatColumnType(have.type)}, declared ${formatColumnType(want.type)}; a domain's type is not changed online: ` +
      'declare a new domain and change the columns to it')];
  }
  const changes: Change[] = [];
  if (!sameDefault(want.default, have.default, want.type)) changes.push({ kind: 'domain-default', table: '', domain, value: want.default });
  if (want.notNull !== have.notNull) changes.push({ kind: 'domain-not-null', table: '', domain, notNull: want.notNull, users });
  for (const check of want.checks) {
    const live = have.checks.find((c) => c.name === check.name);
    if (live && sameExpression(check.expression, live.expression)) {
      if (live.validated === false) changes.push({ kind: 'add-domain-check', table: '', domain, check, existing: 'unvalidated', users });
      continue;
    }
    if (live) changes.push({ kind: 'drop-domain-check', table: '', domain, name: check.name });
    changes.push({ kind: 'add-domain-check', table: '', domain, check, existing: 'none', users });
  }
  // The domain is declared whole: a check it no longer lists is dropped, which only lets more values in.
  for (const live of have.checks) {
    if (!want.checks.some((c) => c.name === live.name)) changes.push({ kind: 'drop-domain-check', table: '', domain, name: live.name, relaxes: true });
  }
  return changes;
}
