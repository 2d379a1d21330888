/**
 * What a Db2 schema holds that the model leaves out, reported so that it is never silently lost:
 * views (but dbtide's aliases), triggers (but dbtide's), sequences, routines, relations that are
 * not plain tables, tables in set-integrity-pending state, and foreign keys to other schemas.
 * Identity columns' own sequences are the columns' (SEQTYPE `I`), never reported.
 */
import type { Connection } from '../../src/dialect.js';
import { OWN_TABLE_PREFIX } from '../../src/model/own-objects.js';
import type { UnsupportedObject } from '../../src/model/unsupported.js';
import { declaredName } from './names.js';

/** SYSCAT.TABLES.TYPE of relations other than tables and views (which SYSCAT.VIEWS lists). */
const RELATION_KINDS: Record<string, string> = {
  S: 'materialized query table',
  A: 'alias',
  N: 'nickname',
  G: 'created temporary table',
  H: 'hierarchy table',
  U: 'typed table',
};

const TRIGGER_TIMES: Record<string, string> = { B: 'BEFORE', A: 'AFTER', I: 'INSTEAD OF' };
const TRIGGER_EVENTS: Record<string, string> = { I: 'INSERT', U: 'UPDATE', D: 'DELETE' };
const ROUTINE_KINDS: Record<string, string> = { F: 'function', P: 'procedure', M: 'method' };

export interface RelationRow {
  name: string;
  type: string;
  /** `N` normal, `C` set integrity pending, `X` inoperative. */
  status: string;
}

export interface TriggerRow {
  name: string;
  table_name: string;
  timing: string;
  event: string;
  text: string | null;
}

/** What the introspector read already and passes on, names as declared. */
export interface Found {
  schema: string;
  relations: RelationRow[];
  /** The tables the model has. */
  tables: Set<string>;
  userViews: { name: string; text: string | null }[];
  userTriggers: TriggerRow[];
  foreignKeysElsewhere: { table: string; name: string; parent: string }[];
}

const dbtides = (name: string) => name.startsWith(OWN_TABLE_PREFIX);

/** A definition flattened to one line and cut to a few words. */
function brief(text: string | null): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

/** SYSCAT keeps a view's or trigger's whole CREATE statement: what follows its head says more in a few words. */
const body = (text: string | null, head: RegExp) => (text ?? '').replace(head, '');

export async function unsupportedDb2(conn: Connection, found: Found): Promise<UnsupportedObject[]> {
  // START and INCREMENT are key words: the columns are named quoted.
  const sequences = await conn.query<{ name: string; start: string | number; increment: string | number }>(
    `SELECT SEQNAME AS "name", "START" AS "start", "INCREMENT" AS "increment" FROM SYSCAT.SEQUENCES WHERE SEQSCHEMA = ? AND SEQTYPE = 'S'`,
    [found.schema],
  );
  const routines = await conn.query<{ name: string; type: string; language: string | null }>(
    `SELECT ROUTINENAME AS "name", ROUTINETYPE AS "type", LANGUAGE AS "language" FROM SYSCAT.ROUTINES WHERE ROUTINESCHEMA = ?`,
    [found.schema],
  );
  const objects: UnsupportedObject[] = [
    ...found.relations.flatMap((r): UnsupportedObject[] => {
      const name = declaredName(r.name);
      if (dbtides(name)) return [];
      const kind = RELATION_KINDS[r.type];
      if (kind) return [{ kind, name, table: null, detail: `SYSCAT.TABLES type ${r.type}` }];
      if (r.status === 'C' && found.tables.has(name)) return [{ kind: 'set integrity pending', name, table: null, detail: 'SET INTEGRITY must check the table before it can be used' }];
      return [];
    }),
    ...found.userViews.map((v) => ({ kind: 'view', name: v.name, table: null, detail: brief(body(v.text, /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s.*?\sAS\s/is)) })),
    ...found.userTriggers.map((t) => ({
      kind: 'trigger',
      name: t.name,
      table: t.table_name,
      detail: `${TRIGGER_TIMES[t.timing] ?? t.timing} ${TRIGGER_EVENTS[t.event] ?? t.event}: ${brief(body(t.text, /^.*?\sFOR\s+EACH\s+(?:ROW|STATEMENT)\s/is))}`,
    })),
    ...sequences.filter((s) => !dbtides(declaredName(s.name))).map((s) => ({ kind: 'sequence', name: declaredName(s.name), table: null, detail: `START WITH ${s.start} INCREMENT BY ${s.increment}` })),
    ...routines.filter((r) => !dbtides(declaredName(r.name))).map((r) => ({
      kind: ROUTINE_KINDS[r.type] ?? 'routine',
      name: declaredName(r.name),
      table: null,
      detail: r.language ? `LANGUAGE ${r.language.trim()}` : '',
    })),
    ...found.foreignKeysElsewhere.map((fk) => ({ kind: 'foreign key', name: fk.name, table: fk.table, detail: `references ${fk.parent}, in another schema` })),
  ];
  return objects.sort((a, b) => byPlainOrder(a.kind, b.kind) || byPlainOrder(a.table ?? '', b.table ?? '') || byPlainOrder(a.name, b.name));
}

/** JavaScript's plain string order: independent of the server's collation. */
export function byPlainOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
