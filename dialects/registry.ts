import type { Dialect } from '../src/dialect.js';
import { DbtideError } from '../src/errors.js';
import { redactText, redactUrl } from '../src/redact.js';
import { isMysqlUrl } from './mysql/accepts.js';
import { acceptsPostgres } from './postgres/accepts.js';
import { isDb2Url } from './db2/accepts.js';

/**
 * A dialect as the registry knows it before a URL needs it: `accepts` loads no driver, `load`
 * imports the dialect and its drivers, so `import 'dbtide'` and a CLI start load only what the
 * URL at hand takes.
 */
export interface DialectEntry {
  name: Dialect['name'];
  accepts(url: string): boolean;
  load(): Promise<Dialect>;
  /** The npm packages `load` imports, named when one is missing. */
  drivers: string[];
}

/** The one place the core learns which dialects exist. */
const DIALECTS: DialectEntry[] = [
  { name: 'postgres', accepts: acceptsPostgres, load: () => import('./postgres/index.js').then((m) => m.postgresDialect), drivers: ['pg', '@electric-sql/pglite'] },
  { name: 'mysql', accepts: isMysqlUrl, load: () => import('./mysql/index.js').then((m) => m.mysqlDialect), drivers: ['mysql2'] },
  // ibm_db is imported only when a db2:// URL connects: planning for Db2 offline needs no driver.
  { name: 'db2', accepts: isDb2Url, load: () => import('./db2/index.js').then((m) => m.db2Dialect), drivers: [] },
];

/** The dialects' names, for `--dialect`. */
export const DIALECT_NAMES = DIALECTS.map((d) => d.name);

const loaded = new Map<Dialect['name'], Promise<Dialect>>();

export async function dialectFor(url: string): Promise<Dialect> {
  const entry = DIALECTS.find((d) => d.accepts(url));
  if (!entry) {
    throw new DbtideError(
      `no dialect serves the URL ${redactUrl(url)}`,
      1,
      'use postgres://user@host:5432/db, mysql://user@host:3306/db (MySQL 8, MariaDB), db2://user@host:50000/DB (Db2 LUW), or pglite:<directory> (pglite:memory for a throwaway database)',
    );
  }
  return loadOnce(entry);
}

/** The dialect of that name (`plan --dialect`, `lint`), loaded as a URL would load it. */
export async function dialectNamed(name: string): Promise<Dialect> {
  const entry = DIALECTS.find((d) => d.name === name);
  if (!entry) {
    throw new DbtideError(`no dialect is named "${name}"`, 1, `name one of ${DIALECT_NAMES.join(', ')}, optionally with a server version (db2@11.1, mysql@10.11 for MariaDB)`);
  }
  return loadOnce(entry);
}

/**
 * Imports a dialect once per process. A failed import (a driver package not installed) is not
 * kept: the next URL that needs the dialect tries again, after the operator installed it.
 */
export function loadOnce(entry: DialectEntry): Promise<Dialect> {
  const cached = loaded.get(entry.name);
  if (cached) return cached;
  const loading = entry.load().catch((error: unknown) => {
    loaded.delete(entry.name);
    throw new DbtideError(
      `the ${entry.name} dialect could not be loaded: ${redactText((error as Error).message ?? String(error))}`,
      1,
      entry.drivers.length === 0 ? 'reinstall dbtide: its own files are incomplete' : `install its driver package${entry.drivers.length > 1 ? 's' : ''} next to dbtide (npm install ${entry.drivers.join(' ')}), then run again`,
    );
  });
  loaded.set(entry.name, loading);
  return loading;
}
