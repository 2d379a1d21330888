import { createHash } from 'node:crypto';

/**
 * The shortest identifier limit among the dialects (PostgreSQL: 63 bytes; MySQL: 64; Db2: 128),
 * so one declaration yields the same names everywhere.
 */
export const MAX_IDENTIFIER_LENGTH = 63;

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** `_` and the hash `fitName` ends a shortened name with. */
const SUFFIX_LENGTH = 9;

/** The longest start of `text` within `bytes`, cut between characters. */
function headWithin(text: string, bytes: number): string {
  let head = text.slice(0, bytes);
  while (Buffer.byteLength(head) > bytes) head = head.slice(0, -1);
  return head;
}

/** Fits a generated name into the limit, keeping it unique by a hash of the full name. */
export function fitName(name: string, max = MAX_IDENTIFIER_LENGTH): string {
  if (Buffer.byteLength(name) <= max) return name;
  return `${headWithin(name, max - SUFFIX_LENGTH)}_${shortHash(name)}`;
}

/** What `fitName` keeps of a name starting with `prefix`, however long the rest is. */
export const keptStart = (prefix: string) => headWithin(prefix, MAX_IDENTIFIER_LENGTH - SUFFIX_LENGTH);

const joined = (columns: string[]) => columns.map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '')).join('_');

export const primaryKeyName = (table: string) => fitName(`${table}_pkey`);
export const uniqueName = (table: string, columns: string[]) => fitName(`${table}_${joined(columns)}_key`);
export const indexName = (table: string, columns: string[], unique: boolean) =>
  fitName(`${table}_${joined(columns)}_${unique ? 'uidx' : 'idx'}`);
export const foreignKeyName = (table: string, columns: string[]) => fitName(`${table}_${joined(columns)}_fkey`);
export const exclusionName = (table: string, keys: string[]) => fitName(`${table}_${joined(keys)}_excl`);
export const checkName = (table: string, expression: string) => fitName(`${table}_${shortHash(expression)}_check`);
