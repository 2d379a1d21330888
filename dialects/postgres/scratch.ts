import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchDatabase } from '../../src/dialect.js';
import { quote } from './compiler.js';
import { connectPostgres, isPgliteUrl } from './driver.js';

/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_NAME = 63;

/**
 * A new empty database next to the one `url` names: on the same server (created and dropped
 * through a session on `url`), or, for the embedded database, a fresh directory.
 */
export async function createScratchPostgres(url: string, label: string): Promise<ScratchDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const safe = label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (isPgliteUrl(url)) {
    const dir = await mkdtemp(join(tmpdir(), `dbtide_${safe}_`));
    return { url: `pglite:${dir}`, name: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `dbtide_${safe}`.slice(0, MAX_NAME - suffix.length - 1) + `_${suffix}`;
  await onServer(url, `CREATE DATABASE ${quote(name)}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  let dropped = false;
  return {
    url: scratch.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE ends sessions a failed check may have left open.
      await onServer(url, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const conn = await connectPostgres(url);
  try {
    await conn.query(sql);
  } finally {
    await conn.close();
  }
}
