/**
 * The third-party schemas under test/fixtures/schemas/, loaded into a scratch database as their
 * authors' scripts would be by psql or the mysql client.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connection } from '../../src/dialect.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/schemas');

export const realSchemaSql = (name: 'pagila' | 'sakila') => readFileSync(resolve(FIXTURES, name, 'schema.sql'), 'utf8');

/** Pagila is a pg_dump script: one simple-protocol query runs it whole, as psql would. */
export async function loadPagila(conn: Connection): Promise<void> {
  await conn.query(realSchemaSql('pagila'));
}

/**
 * Sakila creates its own database (`sakila`) and names it in one view: both point at `database`
 * instead. The mysql client's DELIMITER lines change what ends a statement (trigger and routine
 * bodies hold semicolons); the server takes one statement at a time.
 */
export async function loadSakila(conn: Connection, database: string): Promise<void> {
  const script = realSchemaSql('sakila')
    .replace(/^(DROP SCHEMA|CREATE SCHEMA|USE) .*$/gm, '')
    .replaceAll('sakila.', `\`${database}\`.`);
  for (const statement of mysqlClientStatements(script)) await conn.query(statement);
}

export function mysqlClientStatements(script: string): string[] {
  const statements: string[] = [];
  let delimiter = ';';
  let current: string[] = [];
  for (const line of script.split('\n')) {
    const change = /^DELIMITER\s+(\S+)\s*$/i.exec(line);
    if (change) {
      delimiter = change[1]!;
      continue;
    }
    current.push(line);
    if (line.trimEnd().endsWith(delimiter)) {
      const text = current.join('\n').trimEnd().slice(0, -delimiter.length).trim();
      if (text.replace(/^--.*$/gm, '').trim() !== '') statements.push(text);
      current = [];
    }
  }
  return statements;
}
