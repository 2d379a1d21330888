import { randomUUID } from 'node:crypto';
import type { Connection, Dialect } from '../dialect.js';
import type { ColumnModel, SchemaModel, TableModel } from '../model/schema-model.js';

/** One value a release's code could write into the column. */
function sampleValue(column: ColumnModel, n: number): unknown {
  const t = column.type;
  switch (t.kind) {
    case 'smallint':
    case 'int':
    case 'bigint':
      return n;
    case 'real':
    case 'double':
    case 'numeric':
      return 1;
    case 'boolean':
      return n % 2 === 0;
    case 'date':
      return '2024-01-02';
    case 'timestamp':
      return '2024-01-02 03:04:05';
    case 'uuid':
      return randomUUID();
    case 'json':
      return JSON.stringify({ n });
    case 'binary':
      return Buffer.from([n % 256]);
    case 'varchar':
      return column.name.endsWith('uuid') && t.length >= 36 ? randomUUID() : `${column.name}-${n}`.slice(0, t.length);
    case 'text':
      return `${column.name}-${n}`;
    case 'native':
      return undefined;
  }
}

/** Tables ordered so that every referenced table comes before the tables that reference it. */
function referenceOrder(model: SchemaModel, links: SchemaModel | undefined): TableModel[] {
  const ordered: TableModel[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const table = model.tables[name];
    if (!table || seen.has(name)) return;
    seen.add(name);
    for (const fk of [...table.foreignKeys, ...(links?.tables[name]?.foreignKeys ?? [])]) {
      if (fk.referencedTable !== name) visit(fk.referencedTable);
    }
    ordered.push(table);
  };
  for (const name of Object.keys(model.tables)) visit(name);
  return ordered;
}

export interface ProbeResult {
  table: string;
  ok: boolean;
  /** What failed, when `ok` is false: the operation and the database's message. */
  error?: string;
}

export interface ProbeOptions {
  /** Distinguishes the rows of repeated probes. */
  seed?: number;
  /**
   * A later release whose foreign keys the rows should already satisfy: an application writes
   * consistent data before the constraint that enforces it exists.
   */
  linksFrom?: SchemaModel;
}

/**
 * Acts as the application code of one release: for every table it inserts a row that sets the
 * columns that release knows (foreign keys point at the rows it inserted before), reads the row
 * back and updates it. Columns of types it cannot invent values for are left to their defaults.
 */
export async function probeReadsAndWrites(conn: Connection, dialect: Dialect, model: SchemaModel, options: ProbeOptions = {}): Promise<ProbeResult[]> {
  const seed = options.seed ?? 1;
  const q = dialect.compiler.quote;
  const p = dialect.runtime.param;
  const written = new Map<string, Record<string, unknown>>();
  const results: ProbeResult[] = [];
  for (const table of referenceOrder(model, options.linksFrom)) {
    const row: Record<string, unknown> = {};
    for (const column of table.columns) {
      if (column.identity === 'always') continue;
      if (column.identity && table.primaryKey?.columns.includes(column.name)) continue;
      const value = sampleValue(column, seed);
      if (value !== undefined) row[column.name] = value;
    }
    const links = [...table.foreignKeys, ...(options.linksFrom?.tables[table.name]?.foreignKeys ?? [])];
    for (const fk of links) {
      if (!fk.columns.every((c) => c in row) || !written.has(fk.referencedTable)) continue;
      const parent = written.get(fk.referencedTable);
      fk.columns.forEach((c, i) => {
        row[c] = parent?.[fk.referencedColumns[i]!] ?? null;
      });
    }
    const columns = Object.keys(row);
    let op = 'insert';
    try {
      const inserted = await dialect.runtime.insertRow(conn, table, row);
      written.set(table.name, inserted);
      const key = table.primaryKey?.columns ?? columns.slice(0, 1);
      const where = key.map((c, i) => `${q(c)} = ${p(i + 1)}`).join(' AND ');
      const keyValues = key.map((c) => inserted[c]);
      op = 'select';
      const found = await conn.query(`SELECT * FROM ${q(table.name)} WHERE ${where}`, keyValues);
      if (found.length !== 1) throw new Error(`read back ${found.length} rows instead of 1`);
      op = 'update';
      const target = columns.find((c) => !key.includes(c)) ?? key[0]!;
      await conn.query(`UPDATE ${q(table.name)} SET ${q(target)} = ${q(target)} WHERE ${where}`, keyValues);
      results.push({ table: table.name, ok: true });
    } catch (error) {
      results.push({ table: table.name, ok: false, error: `${op}: ${(error as Error).message}` });
    }
  }
  return results;
}
