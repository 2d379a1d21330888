import { type ColumnType, formatColumnType } from '../model/column-type.js';
import type { CheckModel, ColumnModel, DefaultValue, Deferrable, DomainModel, ExclusionModel, ForeignKeyModel, IndexModel, KeyConstraint, SchemaModel, SequenceModel, TableModel } from '../model/schema-model.js';
import { sequenceDefaults } from '../model/sequence-defaults.js';
import { KEPT_AS_IS, unsupportedObjectName, type UnsupportedObject } from '../model/unsupported.js';
import { checkName, exclusionName, foreignKeyName, indexName, primaryKeyName, uniqueName } from './names.js';
import { readIndexKeys } from '../model/index-entry.js';
import { splitKeyWords } from '../model/index-key-words.js';

export interface RenderDeclarationOptions {
  release: string;
  /** Module the release file imports `defineSchema` from. */
  importFrom?: string;
}

/** Lists and objects stay on one line while that line fits this width. */
const LINE_WIDTH = 100;

/** Source as a tree, so each list or object can be printed on one line or spread over several. */
type Node =
  | { kind: 'code'; text: string }
  | { kind: 'list'; items: Node[]; spread: boolean }
  | { kind: 'object'; entries: Entry[]; spread: boolean };
type Entry = [key: string, value: Node];

const code = (text: string): Node => ({ kind: 'code', text });
const str = (text: string): Node => code(quote(text));
const list = (items: Node[]): Node => ({ kind: 'list', items, spread: false });
const strings = (texts: string[]): Node => list(texts.map(str));
/** `spread` forces one entry per line: the outline of a release file reads better that way. */
const object = (entries: Entry[], spread = false): Node => ({ kind: 'object', entries, spread });

/**
 * The TypeScript source of a release file declaring `model`, in the compact forms a person would
 * write: shorthand column types, generated names and default options left out.
 */
export function renderDeclaration(model: SchemaModel, options: RenderDeclarationOptions): string {
  const tables = Object.values(model.tables);
  const domains = Object.values(model.domains ?? {});
  const typed = [...tables.flatMap((t) => t.columns), ...domains];
  const helpers = [
    ...(typed.some((c) => c.type.kind === 'native') ? ['native'] : []),
    ...(typed.some((c) => c.default?.kind === 'sql') ? ['sql'] : []),
  ];
  const root = object(
    [
      ['release', str(options.release)],
      ...schemaObjectEntries(model),
      ['tables', object(tables.map((t): Entry => [t.name, tableNode(t)]), true)],
    ],
    true,
  );
  return [
    ...unsupportedLines(model.unsupported ?? []),
    `import { ${['defineSchema', ...helpers].join(', ')} } from ${quote(options.importFrom ?? 'dbtide')};`,
    '',
    `export default defineSchema(${print(root, '', 0)});`,
    '',
  ].join('\n');
}

/**
 * What the file cannot declare, one comment line each, so that a reader sees it was not lost. The
 * text is the server's: white space is flattened so that no line break ends the comment early.
 */
function unsupportedLines(objects: UnsupportedObject[]): string[] {
  if (objects.length === 0) return [];
  const flat = (text: string) => text.replace(/\s+/g, ' ');
  return [
    `// ${objects.length} object(s) dbtide does not model: plan reports them as drift and never drops them; a fresh install from this file lacks them.`,
    ...objects.map((u) => `// ${KEPT_AS_IS}: ${flat(unsupportedObjectName(u))}: ${flat(u.detail)}`),
    '',
  ];
}

/** Sequences, enum types and domains, before the tables that use them; each kind only when there is one. */
function schemaObjectEntries(model: SchemaModel): Entry[] {
  const entries: Entry[] = [];
  const sequences = Object.values(model.sequences ?? {});
  const enums = Object.values(model.enums ?? {});
  const domains = Object.values(model.domains ?? {});
  if (sequences.length > 0) entries.push(['sequences', object(sequences.map((q): Entry => [q.name, sequenceNode(q)]), true)]);
  if (enums.length > 0) entries.push(['enums', object(enums.map((e): Entry => [e.name, strings(e.values)]), true)]);
  if (domains.length > 0) entries.push(['domains', object(domains.map((d): Entry => [d.name, domainNode(d)]), true)]);
  return entries;
}

/** The options that differ from PostgreSQL's defaults, which normalization fills in again. */
function sequenceNode(sequence: SequenceModel): Node {
  const increment = BigInt(sequence.increment);
  const defaults = sequenceDefaults(sequence.type, increment, { min: BigInt(sequence.min), max: BigInt(sequence.max) });
  const bare = sequenceDefaults(sequence.type, increment);
  const entries: Entry[] = [];
  const number = (value: string) => (Number.isSafeInteger(Number(value)) ? code(value) : str(value));
  if (sequence.type !== 'bigint') entries.push(['type', str(sequence.type)]);
  if (BigInt(sequence.start) !== defaults.start) entries.push(['start', number(sequence.start)]);
  if (increment !== 1n) entries.push(['increment', number(sequence.increment)]);
  if (BigInt(sequence.min) !== bare.min) entries.push(['min', number(sequence.min)]);
  if (BigInt(sequence.max) !== bare.max) entries.push(['max', number(sequence.max)]);
  if (BigInt(sequence.cache) !== defaults.cache) entries.push(['cache', number(sequence.cache)]);
  if (sequence.cycle) entries.push(['cycle', code('true')]);
  if (sequence.ownedBy) entries.push(['ownedBy', object([['table', str(sequence.ownedBy.table)], ['column', str(sequence.ownedBy.column)]])]);
  return object(entries);
}

function domainNode(domain: DomainModel): Node {
  const entries: Entry[] = [['type', typeNode(domain.type)]];
  if (domain.notNull) entries.push(['nullable', code('false')]);
  if (domain.default) entries.push(['default', defaultNode(domain.default)]);
  if (domain.checks.length > 0) {
    entries.push(['checks', list(domain.checks.map((c) => object([...nameEntry(c.name, `${domain.name}_check`), ['expression', str(c.expression)]])))]);
  }
  return object(entries);
}

function tableNode(table: TableModel): Node {
  const keyColumns = new Set(table.primaryKey?.columns);
  const entries: Entry[] = [
    ['columns', object(table.columns.map((c): Entry => [c.name, columnNode(c, keyColumns.has(c.name))]), true)],
  ];
  if (table.primaryKey) entries.push(['primaryKey', primaryKeyNode(table.name, table.primaryKey)]);
  const lists: [string, Node[]][] = [
    ['uniques', table.uniques.map((u) => uniqueNode(table.name, u))],
    ['indexes', table.indexes.map((i) => indexNode(table.name, i))],
    ['foreignKeys', table.foreignKeys.map((f) => foreignKeyNode(table.name, f))],
    ['checks', table.checks.map((c) => checkNode(table.name, c))],
    ['exclusions', (table.exclusions ?? []).map((x) => exclusionNode(table, x))],
  ];
  for (const [key, items] of lists) if (items.length > 0) entries.push([key, list(items)]);
  if (table.comment !== undefined) entries.push(['comment', str(table.comment)]);
  if (table.replicaIdentity !== undefined) {
    const identity = table.replicaIdentity;
    entries.push(['replicaIdentity', typeof identity === 'string' ? str(identity) : object([['index', str(identity.index)]])]);
  }
  return object(entries, true);
}

function columnNode(column: ColumnModel, inPrimaryKey: boolean): Node {
  // Normalization makes key and identity columns NOT NULL unless told otherwise.
  const nullableByDefault = !inPrimaryKey && column.identity === null;
  const type = typeNode(column.type);
  const entries: Entry[] = [['type', type]];
  if (column.nullable !== nullableByDefault) entries.push(['nullable', code(String(column.nullable))]);
  if (column.default) entries.push(['default', defaultNode(column.default)]);
  if (column.identity === 'by-default') entries.push(['identity', code('true')]);
  if (column.identity === 'always') entries.push(['identity', str('always')]);
  if (column.comment !== undefined) entries.push(['comment', str(column.comment)]);
  // The string shorthand takes portable types only.
  return entries.length === 1 && column.type.kind !== 'native' ? type : object(entries);
}

const typeNode = (type: ColumnType): Node =>
  type.kind === 'native' ? code(`native(${quote(type.sql)})`) : str(formatColumnType(type));

function defaultNode(value: DefaultValue): Node {
  if (value.kind === 'sql') return code(`sql(${quote(value.expression)})`);
  return typeof value.value === 'string' ? str(value.value) : code(String(value.value));
}

function primaryKeyNode(table: string, key: KeyConstraint): Node {
  if (key.name === primaryKeyName(table) && !key.deferrable) return strings(key.columns);
  return object([...nameEntry(key.name, primaryKeyName(table)), ['columns', strings(key.columns)], ...deferrableEntry(key.deferrable)]);
}

const deferrableEntry = (deferrable: Deferrable | undefined): Entry[] => (deferrable ? [['deferrable', str(deferrable)]] : []);

function uniqueNode(table: string, key: KeyConstraint): Node {
  const entries: Entry[] = [...nameEntry(key.name, uniqueName(table, key.columns)), ['columns', strings(key.columns)]];
  if (key.nullsNotDistinct) entries.push(['nullsNotDistinct', code('true')]);
  if (key.include) entries.push(['include', strings(key.include)]);
  entries.push(...deferrableEntry(key.deferrable));
  return object(entries);
}

function indexNode(table: string, index: IndexModel): Node {
  const entries: Entry[] = [
    ...nameEntry(index.name, indexName(table, index.columns, index.unique)),
    ['columns', strings(index.columns)],
  ];
  if (index.unique) entries.push(['unique', code('true')]);
  if (index.where !== null) entries.push(['where', str(index.where)]);
  if (index.using !== 'btree') entries.push(['using', str(index.using)]);
  if (index.include.length > 0) entries.push(['include', strings(index.include)]);
  if (index.nullsNotDistinct) entries.push(['nullsNotDistinct', code('true')]);
  return object(entries);
}

function foreignKeyNode(table: string, fk: ForeignKeyModel): Node {
  const entries: Entry[] = [
    ...nameEntry(fk.name, foreignKeyName(table, fk.columns)),
    ['columns', strings(fk.columns)],
    [
      'references',
      object([
        ['table', str(fk.referencedTable)],
        ['columns', strings(fk.referencedColumns)],
      ]),
    ],
  ];
  if (fk.onDelete !== 'no action') entries.push(['onDelete', str(fk.onDelete)]);
  if (fk.onUpdate !== 'no action') entries.push(['onUpdate', str(fk.onUpdate)]);
  entries.push(...deferrableEntry(fk.deferrable));
  return object(entries);
}

function checkNode(table: string, check: CheckModel): Node {
  return object([...nameEntry(check.name, checkName(table, check.expression)), ['expression', str(check.expression)]]);
}

/** Elements as declared: a column with its operator class, or an expression (its class written in it). */
function exclusionNode(table: TableModel, x: ExclusionModel): Node {
  const keys = readIndexKeys(x.columns, table.columns.map((c) => c.name));
  const elements = keys.map((k, i): Node => {
    const operator: Entry = ['operator', str(x.operators[i]!)];
    if (k.kind === 'expression') return object([['expression', str(k.expression)], operator]);
    const opclass = splitKeyWords(k.modifiers, true).opclass;
    if (k.prefix !== null || (k.modifiers !== '' && k.modifiers !== opclass)) return object([['column', str(x.columns[i]!)], operator]);
    return object([['column', str(k.column)], operator, ...(opclass ? [['opclass', str(opclass)] as Entry] : [])]);
  });
  const generated = exclusionName(table.name, keys.map((k) => (k.kind === 'column' ? k.column : k.expression)));
  const entries: Entry[] = [...nameEntry(x.name, generated), ...(x.using === 'gist' ? [] : [['using', str(x.using)] as Entry]), ['elements', list(elements)]];
  if (x.where !== null) entries.push(['where', str(x.where)]);
  entries.push(...deferrableEntry(x.deferrable));
  return object(entries);
}

/** The name, unless it is the one normalization would generate anyway. */
const nameEntry = (name: string, generated: string): Entry[] => (name === generated ? [] : [['name', str(name)]]);

/** `lead` is how many characters precede the node on its first line, after the indentation. */
function print(node: Node, indent: string, lead: number): string {
  if (node.kind === 'code') return node.text;
  const inline = printInline(node);
  const fits = indent.length + lead + inline.length + 1 <= LINE_WIDTH; // + 1 for the trailing comma
  if ((fits && !node.spread) || inline === '[]' || inline === '{}') return inline;
  const inner = `${indent}  `;
  const lines =
    node.kind === 'list'
      ? node.items.map((item) => `${inner}${print(item, inner, 0)},`)
      : node.entries.map(([key, value]) => {
          const head = `${propertyKey(key)}: `;
          return `${inner}${head}${print(value, inner, head.length)},`;
        });
  const [open, close] = node.kind === 'list' ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join('\n')}\n${indent}${close}`;
}

function printInline(node: Node): string {
  switch (node.kind) {
    case 'code':
      return node.text;
    case 'list':
      return `[${node.items.map(printInline).join(', ')}]`;
    case 'object':
      if (node.entries.length === 0) return '{}';
      return `{ ${node.entries.map(([key, value]) => `${propertyKey(key)}: ${printInline(value)}`).join(', ')} }`;
  }
}

const propertyKey = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key));

/** A single-quoted string literal; JSON.stringify does the escaping, then only the quote style changes. */
export function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}
