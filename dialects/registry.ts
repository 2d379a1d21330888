import type { Dialect } from '../src/dialect.js';
import { DbtideError } from '../src/errors.js';
import { redactUrl } from '../src/redact.js';
import { mysqlDialect } from './mysql/index.js';
import { postgresDialect } from './postgres/index.js';

/** The one place the core learns which dialects exist. */
const DIALECTS: Dialect[] = [postgresDialect, mysqlDialect];

export function dialectFor(url: string): Dialect {
  const dialect = DIALECTS.find((d) => d.accepts(url));
  if (!dialect) {
    throw new DbtideError(
      `no dialect serves the URL ${redactUrl(url)}`,
      1,
      'use postgres://user@host:5432/db, mysql://user@host:3306/db (MySQL 8, MariaDB), or pglite:<directory> (pglite:memory for a throwaway database)',
    );
  }
  return dialect;
}
