/**
 * MySQL's ENUM and SET columns (native types to the model): which changes of their member list
 * the server makes in metadata only, and which rows a narrowing change would reject.
 */
import type { ColumnType } from '../../src/model/column-type.js';
import { literal } from './compiler.js';

interface Members {
  kind: 'enum' | 'set';
  members: string[];
}

/** `'a'`, `'it''s'`, `'back\\slash'`: one member as the server prints it or a release writes it. */
const MEMBER = /'((?:[^'\\]|''|\\.)*)'/y;

/** The members of an `enum('a','b')` or `set(...)` type, or null for any other type (or one with more words, a collation). */
export function membersOf(type: ColumnType): Members | null {
  if (type.kind !== 'native') return null;
  const head = /^\s*(enum|set)\s*\(/i.exec(type.sql);
  if (!head) return null;
  const members: string[] = [];
  let at = head[0].length;
  for (;;) {
    while (/\s/.test(type.sql[at] ?? '')) at++;
    MEMBER.lastIndex = at;
    const member = MEMBER.exec(type.sql);
    if (!member) return null;
    members.push(member[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1'));
    at = MEMBER.lastIndex;
    while (/\s/.test(type.sql[at] ?? '')) at++;
    if (type.sql[at] === ',') {
      at++;
      continue;
    }
    return type.sql.slice(at).trim() === ')' ? { kind: head[1]!.toLowerCase() as Members['kind'], members } : null;
  }
}

/**
 * The bytes a value takes: an ENUM holds its member's number (one byte up to 255 members), a SET
 * one bit per member (1, 2, 3, 4 or 8 bytes).
 */
export function storageBytes({ kind, members }: Members): number {
  if (kind === 'enum') return members.length <= 255 ? 1 : 2;
  const bytes = Math.ceil(members.length / 8);
  return bytes > 4 ? 8 : bytes;
}

/**
 * Members added at the end, in a list that keeps its storage size: every stored value keeps its
 * number, so the server changes metadata only (MySQL 8 INSTANT or INPLACE, MariaDB 10.3+ too).
 */
export function appendsMembers(from: ColumnType, to: ColumnType): boolean {
  const [a, b] = [membersOf(from), membersOf(to)];
  if (!a || !b || a.kind !== b.kind || b.members.length <= a.members.length) return false;
  return a.members.every((m, i) => b.members[i] === m) && storageBytes(a) === storageBytes(b);
}

/**
 * The condition a row meets when a change from one member list to another keeps its value: an
 * ENUM's value is one of the new members, each member of a SET's value is one. Null for any other
 * change, and for one that removes no member (a reordering keeps every value).
 */
export function membersKept(column: string, from: ColumnType, to: ColumnType): string | null {
  const [a, b] = [membersOf(from), membersOf(to)];
  if (!a || !b || a.kind !== b.kind) return null;
  const removed = a.members.filter((m) => !b.members.includes(m));
  if (removed.length === 0) return null;
  if (a.kind === 'enum') return `${column} NOT IN (${removed.map(literal).join(', ')})`;
  return removed.map((m) => `FIND_IN_SET(${literal(m)}, ${column}) = 0`).join(' AND ');
}
