import { createHash } from 'node:crypto';

/**
 * The shortest identifier limit among the dialects (PostgreSQL: 63 bytes; MySQL: 64; Db2: 128),
 * so one declaration yields the same names everywhere.
 */
export const MAX_IDENTIFIER_LENGTH = 63;

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** Fits a generated name into the limit, keeping it unique by a hash of the full name. */
export function fitName(name: string, max = MAX_IDENTIFIER_LENGTH): string {
  if (Buffer.byteLength(name) <= max) return name;
  const suffix = `_${shortHash(name)}`;
  let head = name.slice(0, max - suffix.length);
  while (Buffer.byteLength(head) > max - suffix.length) head = head.slice(0, -1);
  return head + suffix;
}

const joined = (columns: string[]) => columns.map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '')).join('_');

export const primaryKeyName = (table: string) => fitName(`${table}_pkey`);
export const uniqueName = (table: string, columns: string[]) => fitName(`${table}_${joined(columns)}_key`);
export const indexName = (table: string, columns: string[], unique: boolean) =>
  fitName(`${table}_${joined(columns)}_${unique ? 'uidx' : 'idx'}`);
export const foreignKeyName = (table: string, columns: string[]) => fitName(`${table}_${joined(columns)}_fkey`);
export const checkName = (table: string, expression: string) => fitName(`${table}_${shortHash(expression)}_check`);
