/** PostgreSQL's sequences, domains and enum types. */
import type { SchemaObjectSql } from '../../src/dialect.js';
import type { LockInfo, Statement } from '../../src/model/locks.js';
import { OWN_TABLE_PREFIX } from '../../src/model/own-objects.js';
import type { DomainModel, EnumModel, SequenceModel } from '../../src/model/schema-model.js';
import { columnType, defaultSql, literal, quote } from './compiler.js';
import { PG_LOCK } from './locks.js';

/** ALTER SEQUENCE: nextval() waits for it, briefly; no table is locked. */
const SEQUENCE_LOCK: LockInfo = { level: 'SHARE ROW EXCLUSIVE on the sequence, brief (no table lock)', blocksWrites: false, rewritesTable: false, rank: 6 };
/** Validating a domain rule scans every column of the domain under SHARE: writes to those tables wait. */
const DOMAIN_SCAN: LockInfo = { level: 'SHARE on each table using the domain during a full scan (writes wait)', blocksWrites: true, rewritesTable: false, rank: 5 };

const statement = (sql: string, lock: LockInfo = PG_LOCK.none): Statement => ({ sql, lock });

const SEQUENCE_TYPES: Record<SequenceModel['type'], string> = { smallint: 'smallint', int: 'integer', bigint: 'bigint' };

const sequenceOptions = (s: SequenceModel) =>
  `AS ${SEQUENCE_TYPES[s.type]} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`;

const enumValues = (values: string[]) => values.map(literal).join(', ');

/** The name a rebuilt enum type holds while its columns move to the new one: dbtide's prefix, within 63 bytes. */
function oldTypeName(name: string): string {
  let old = `${OWN_TABLE_PREFIX}${name}`;
  while (Buffer.byteLength(old, 'utf8') > 63) old = old.slice(0, -1);
  return old;
}

/** A regclass literal's relation name: `s`, `public.s`, `"S"`. */
function relationName(text: string): string {
  const last = /(?:^|\.)("(?:[^"]|"")+"|[^."]+)$/.exec(text)?.[1] ?? text;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

function createDomain(d: DomainModel): Statement {
  const parts = [`CREATE DOMAIN ${quote(d.name)} AS ${columnType(d.type)}`];
  if (d.default) parts.push(`DEFAULT ${defaultSql(d.default)}`);
  if (d.notNull) parts.push('NOT NULL');
  for (const c of d.checks) parts.push(`CONSTRAINT ${quote(c.name)} CHECK (${c.expression})`);
  return statement(parts.join(' '));
}

const createEnum = (e: EnumModel) => statement(`CREATE TYPE ${quote(e.name)} AS ENUM (${enumValues(e.values)})`);
const createSequence = (s: SequenceModel) => statement(`CREATE SEQUENCE IF NOT EXISTS ${quote(s.name)} ${sequenceOptions(s)}`);

export const postgresSchemaObjects: SchemaObjectSql = {
  createSequence,
  alterSequence: (s) => statement(`ALTER SEQUENCE ${quote(s.name)} ${sequenceOptions(s)}`, SEQUENCE_LOCK),
  sequenceOwner: (s) =>
    statement(`ALTER SEQUENCE ${quote(s.name)} OWNED BY ${s.ownedBy ? `${quote(s.ownedBy.table)}.${quote(s.ownedBy.column)}` : 'NONE'}`, SEQUENCE_LOCK),
  // Without CASCADE: the server refuses while a default still draws from it.
  dropSequence: (name) => statement(`DROP SEQUENCE IF EXISTS ${quote(name)}`),
  sequenceOfDefault(expression) {
    const found = /^nextval\('((?:[^']|'')+)'(?:::regclass)?\)$/i.exec(expression.trim());
    return found ? relationName(found[1]!.replace(/''/g, "'")) : null;
  },
  createDomain,
  domainDefault: (domain, value) => statement(`ALTER DOMAIN ${quote(domain)} ${value === null ? 'DROP DEFAULT' : `SET DEFAULT ${defaultSql(value)}`}`),
  domainNotNull: (domain, notNull) =>
    notNull ? statement(`ALTER DOMAIN ${quote(domain)} SET NOT NULL`, DOMAIN_SCAN) : statement(`ALTER DOMAIN ${quote(domain)} DROP NOT NULL`),
  addDomainCheck: (domain, check) => statement(`ALTER DOMAIN ${quote(domain)} ADD CONSTRAINT ${quote(check.name)} CHECK (${check.expression}) NOT VALID`),
  validateDomainCheck: (domain, name) => statement(`ALTER DOMAIN ${quote(domain)} VALIDATE CONSTRAINT ${quote(name)}`, DOMAIN_SCAN),
  // VALUE is a key word outside quoted text; a quoted "VALUE" or a string holding it stays.
  domainCheckOn: (column, expression) =>
    expression.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\bvalue\b/gi, (token) => (/^value$/i.test(token) ? quote(column) : token)),
  dropDomainCheck: (domain, name) => statement(`ALTER DOMAIN ${quote(domain)} DROP CONSTRAINT IF EXISTS ${quote(name)}`),
  dropDomain: (name) => statement(`DROP DOMAIN IF EXISTS ${quote(name)}`),
  createEnum,
  addEnumValue: (type, value, { before, after }) =>
    statement(
      `ALTER TYPE ${quote(type)} ADD VALUE IF NOT EXISTS ${literal(value)}` +
        (after !== undefined ? ` AFTER ${literal(after)}` : before !== undefined ? ` BEFORE ${literal(before)}` : ''),
    ),
  rebuildEnum(type, users) {
    const old = oldTypeName(type.name);
    const moves = users.flatMap(({ table, column }) => {
      const dims = /((?:\[\])*)\s*$/.exec(column.type.kind === 'native' ? column.type.sql : '')?.[1] ?? '';
      const alter = (clause: string) => statement(`ALTER TABLE ${quote(table)} ALTER COLUMN ${quote(column.name)} ${clause}`, PG_LOCK.rewrite);
      // The old default names the old type, which has no cast to the new one.
      return [
        ...(column.default ? [alter('DROP DEFAULT')] : []),
        alter(`TYPE ${quote(type.name)}${dims} USING ${quote(column.name)}::text${dims}::${quote(type.name)}${dims}`),
        ...(column.default ? [alter(`SET DEFAULT ${defaultSql(column.default)}`)] : []),
      ];
    });
    return [statement(`ALTER TYPE ${quote(type.name)} RENAME TO ${quote(old)}`), createEnum(type), ...moves, statement(`DROP TYPE ${quote(old)}`)];
  },
  enumValuesAbsent: (column, values) => `CAST(${quote(column)} AS text) NOT IN (${enumValues(values)})`,
  dropEnum: (name) => statement(`DROP TYPE IF EXISTS ${quote(name)}`),
  probeSetup: ({ sequences, domains, enums, grownEnums }) =>
    [
      // Renamed away, the live type keeps its columns; expressions naming the type get the declared one.
      ...grownEnums.map((e) => statement(`ALTER TYPE ${quote(e.name)} RENAME TO ${quote(oldTypeName(e.name))}`)),
      ...[...grownEnums, ...enums].map(createEnum),
      ...domains.map(createDomain),
      ...sequences.map(createSequence),
    ].map((s) => s.sql),
};
