import type { Dialect } from '../src/dialect.js';
import { DbtideError } from '../src/errors.js';
import { redactUrl } from '../src/redact.js';
import { isMysqlUrl } from './mysql/accepts.js';
import { acceptsPostgres } from './postgres/accepts.js';

/**
 * A dialect as the registry knows it before a URL needs it: `accepts` loads no driver, `load`
 * imports the dialect and its drivers, so `import 'dbtide'` and a CLI start load only what the
 * URL at hand takes.
 */
interface DialectEntry {
  name: Dialect['name'];
  accepts(url: string): boolean;
  load(): Promise<Dialect>;
}

/** The one place the core learns which dialects exist. */
const DIALECTS: DialectEntry[] = [
  { name: 'postgres', accepts: acceptsPostgres, load: () => import('./postgres/index.js').then((m) => m.postgresDialect) },
  { name: 'mysql', accepts: isMysqlUrl, load: () => import('./mysql/index.js').then((m) => m.mysqlDialect) },
];

const loaded = new Map<Dialect['name'], Promise<Dialect>>();

export async function dialectFor(url: string): Promise<Dialect> {
  const entry = DIALECTS.find((d) => d.accepts(url));
  if (!entry) {
    throw new DbtideError(
      `no dialect serves the URL ${redactUrl(url)}`,
      1,
      'use postgres://user@host:5432/db, mysql://user@host:3306/db (MySQL 8, MariaDB), or pglite:<directory> (pglite:memory for a throwaway database)',
    );
  }
  let dialect = loaded.get(entry.name);
  if (!dialect) {
    dialect = entry.load();
    loaded.set(entry.name, dialect);
  }
  return dialect;
}
