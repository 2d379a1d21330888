/**
 * The exact shape of what `defineSchema` accepts, checked before anything is merged: a key dbtide
 * does not know would otherwise be dropped silently (`nullabel: false` makes a nullable column,
 * `foreignKey: [...]` leaves the table without its key).
 */
import { array, boolean, func, integer, isPlainObject, object, oneOf, record, string, union, type Shape } from '../validate/shape.js';
import { PHASES } from '../model/phase.js';

const name = string({ nonEmpty: true });
const names = array(name);
const columnList = array(name, { nonEmpty: true });
const expression = string({ nonEmpty: true });

const nativeType = object({ native: string({ nonEmpty: true }) }, { required: ['native'] });
const sqlExpression = object({ sql: string({ nonEmpty: true }) }, { required: ['sql'] });

const columnType = union('a type name such as "varchar(255)", or native("...")', (v) =>
  typeof v === 'string' ? string({ nonEmpty: true }) : isPlainObject(v) ? nativeType : null,
);

const defaultValue = union('a string, number, boolean, null or sql("...")', (v) =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v) ? ANY : isPlainObject(v) ? sqlExpression : null,
);

const ANY: Shape = Object.assign(() => {}, { describe: 'any value' });

const column = object(
  {
    type: columnType,
    nullable: boolean,
    default: defaultValue,
    identity: oneOf([true, false, 'always', 'by-default']),
    comment: string(),
  },
  {
    required: ['type'],
    insteadOf: {
      notNull: '`nullable: false`',
      null: '`nullable: true` or `nullable: false`',
      optional: '`nullable: true`',
      required: '`nullable: false`',
      autoIncrement: '`identity: true`',
      serial: '`type: "serial"` or `identity: true`',
      unique: '`uniques: [{ columns: [...] }]` on the table',
      primaryKey: '`primaryKey: [...]` on the table',
      primary: '`primaryKey: [...]` on the table',
      references: '`foreignKeys: [{ columns, references: { table, columns } }]` on the table',
      length: 'the length in the type, e.g. `type: "varchar(255)"`',
      defaultValue: '`default:`',
    },
  },
);

const referentialAction = oneOf(['no action', 'restrict', 'cascade', 'set null', 'set default'], (v) =>
  typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, ' ') : v,
);

const deferrable = oneOf(['immediate', 'deferred']);

const table = object({
  columns: record(union('a type name, or a column object', (v) => (typeof v === 'string' ? string({ nonEmpty: true }) : column))),
  primaryKey: union('a list of columns, or { name?, columns }', (v) =>
    Array.isArray(v) ? columnList : object({ name, columns: columnList, deferrable }, { required: ['columns'] }),
  ),
  uniques: array(object({ name, columns: columnList, nullsNotDistinct: boolean, include: names, deferrable }, { required: ['columns'] })),
  indexes: array(
    object(
      { name, columns: columnList, unique: boolean, where: expression, using: string({ nonEmpty: true }), include: names, nullsNotDistinct: boolean },
      { required: ['columns'] },
    ),
  ),
  foreignKeys: array(
    object(
      {
        name,
        columns: columnList,
        references: object({ table: name, columns: columnList }, { required: ['table', 'columns'] }),
        onDelete: referentialAction,
        onUpdate: referentialAction,
        deferrable,
      },
      { required: ['columns', 'references'] },
    ),
  ),
  checks: array(object({ name, expression }, { required: ['expression'] })),
  exclusions: array(
    object(
      {
        name,
        using: string({ nonEmpty: true }),
        elements: array(object({ column: name, expression, operator: string({ nonEmpty: true }), opclass: name }, { required: ['operator'] }), { nonEmpty: true }),
        where: expression,
        deferrable,
      },
      { required: ['elements'] },
    ),
  ),
  removed: object({
    columns: union('a list of column names, or { column: { fill } }', (v) =>
      Array.isArray(v) ? names : record(object({ fill: defaultValue })),
    ),
    indexes: names,
    constraints: names,
  }),
  comment: union('a string, or null for none', (v) => (v === null ? ANY : string())),
  replicaIdentity: union('"default", "full", "nothing" or { index: "<unique index name>" }', (v) =>
    isPlainObject(v) ? object({ index: name }, { required: ['index'] }) : oneOf(['default', 'full', 'nothing']),
  ),
});

/** A whole number, as a number or (past JavaScript's safe integers) a string of digits. */
const wholeNumber = union('a whole number, or a string of digits for one past 2^53', (v) =>
  typeof v === 'number' ? integer() : typeof v === 'string' ? digits : null,
);
const digits: Shape = Object.assign(
  (v: unknown, path: string, report: (p: string, m: string) => void) => {
    if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v.trim())) report(path, `must be a whole number, got ${JSON.stringify(v)}`);
  },
  { describe: 'a string of digits' },
);

const sequence = object(
  {
    type: oneOf(['smallint', 'int', 'bigint']),
    start: wholeNumber,
    increment: wholeNumber,
    min: wholeNumber,
    max: wholeNumber,
    cache: wholeNumber,
    cycle: boolean,
    ownedBy: object({ table: name, column: name }, { required: ['table', 'column'] }),
  },
  { insteadOf: { minValue: '`min:`', maxValue: '`max:`', startWith: '`start:`', incrementBy: '`increment:`', as: '`type:`', owner: '`ownedBy: { table, column }`' } },
);

const domain = object(
  {
    type: columnType,
    nullable: boolean,
    default: defaultValue,
    checks: array(object({ name, expression }, { required: ['expression'] })),
  },
  { required: ['type'], insteadOf: { notNull: '`nullable: false`', check: '`checks: [{ expression }]`' } },
);

const kindField = { kind: string() };

/** A raw SQL step's statements: one string, or one statement per entry. */
const statements = union('an SQL statement, or a list of them', (v) =>
  Array.isArray(v) ? array(string({ nonEmpty: true }), { nonEmpty: true }) : string({ nonEmpty: true }),
);

const TRANSITIONS: Record<string, Shape> = {
  'rename-column': object({ ...kindField, table: name, from: name, to: name }, { required: ['table', 'from', 'to'] }),
  'change-type': object({ ...kindField, table: name, column: name, using: expression }, { required: ['table', 'column'] }),
  derive: object(
    { ...kindField, table: name, forward: record(expression), backward: record(expression), retires: names, reads: names },
    { required: ['table', 'forward'] },
  ),
  fill: object({ ...kindField, table: name, column: name, expression }, { required: ['table', 'column', 'expression'] }),
  'rename-table': object({ ...kindField, from: name, to: name }, { required: ['from', 'to'] }),
  'rename-constraint': object({ ...kindField, table: name, from: name, to: name }, { required: ['table', 'from', 'to'] }),
  'rename-index': object({ ...kindField, table: name, from: name, to: name }, { required: ['table', 'from', 'to'] }),
  'data-move': object({ ...kindField, name, run: func }, { required: ['name', 'run'] }),
  sql: object(
    { ...kindField, phase: oneOf(PHASES), up: statements, down: statements, description: string({ nonEmpty: true }), name },
    { required: ['phase', 'up', 'description'] },
  ),
};

const transition = union(
  `a transition made by renameColumn, changeType, derive, fillColumn, renameTable, renameConstraint, renameIndex or dataMove, or a raw step made by sql({ phase, up, description }) (kind: ${Object.keys(TRANSITIONS).join(', ')})`,
  (v) => (isPlainObject(v) && typeof v.kind === 'string' ? (TRANSITIONS[v.kind] ?? null) : null),
);

const isSchemaValue = (v: unknown) => isPlainObject(v) && v.dbtideSchema === 1;

export const schemaInputShape = object(
  {
    release: string({ nonEmpty: true }),
    extends: Object.assign(
      (v: unknown, path: string, report: (p: string, m: string) => void) => {
        if (!isSchemaValue(v)) report(path, 'must be the previous release, as its file default-exports it (import previous from "./001-initial.js")');
      },
      { describe: 'a release made by defineSchema' },
    ),
    follows: string({ nonEmpty: true }),
    tables: record(table),
    sequences: record(sequence),
    domains: record(domain),
    enums: record(array(string(), { nonEmpty: true })),
    removed: object({ tables: names, sequences: names, domains: names, enums: names, enumValues: record(array(string(), { nonEmpty: true })) }),
    transitions: array(transition),
    invariants: record(expression),
  },
  { required: ['release'] },
);
