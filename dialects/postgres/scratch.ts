import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchDatabase } from '../../src/dialect.js';
import { scratchOnServer } from '../../src/dialect-kit/server-scratch.js';
import { quote } from './compiler.js';
import { isPgliteUrl } from './accepts.js';
import { connectPostgres } from './driver.js';

/**
 * A new empty database next to the one `url` names: on the same server (created and dropped
 * through a session on `url`), or, for the embedded database, a fresh directory.
 */
export async function createScratchPostgres(url: string, label: string): Promise<ScratchDatabase> {
  if (isPgliteUrl(url)) {
    const dir = await mkdtemp(join(tmpdir(), `dbtide_${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_`));
    return { url: `pglite:${dir}`, name: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  return scratchOnServer(url, label, {
    // PostgreSQL truncates identifiers to 63 bytes.
    maxName: 63,
    connect: connectPostgres,
    createSql: (name) => `CREATE DATABASE ${quote(name)}`,
    // FORCE ends sessions a failed check may have left open.
    dropSql: (name) => `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`,
  });
}
