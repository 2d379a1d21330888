/**
 * Throwaway databases for integration tests: each test file creates its own and drops it, so
 * files can run in parallel and never touch a database someone else uses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPostgres } from '../../dialects/postgres/driver.js';

export interface ScratchDatabase {
  url: string;
  /** Drops the database; safe to call twice. */
  drop(): Promise<void>;
}

export type ScratchTarget = {
  name: 'postgres' | 'pglite';
  create(label: string): Promise<ScratchDatabase>;
};

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME_PREFIX = 'dbtide_t_';
/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_NAME_LENGTH = 63;
const SUFFIX_BYTES = 3;

/** The server scratch databases live on: PG_ADMIN_URL, else the local test server. */
export function postgresAdminUrl(): string {
  return process.env.PG_ADMIN_URL ?? DEFAULT_ADMIN_URL;
}

/** A new empty database on the server of postgresAdminUrl(), named `dbtide_t_<label>_<6 hex>`. */
export async function scratchPostgres(label: string): Promise<ScratchDatabase> {
  const adminUrl = postgresAdminUrl();
  const name = scratchName(label);
  await asAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE terminates the sessions still connected (e.g. left open by a failed test).
      await asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * A fresh PGlite data directory under the system temp directory. A directory rather than
 * `pglite:memory`, because two connections to `pglite:memory` would be two separate databases.
 * Only one connection may have the directory open at a time.
 */
export async function scratchPglite(label = 'pglite'): Promise<ScratchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), `${NAME_PREFIX}${sanitize(label)}_`));
  return {
    url: `pglite:${dir}`,
    async drop() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** For `describe.each(postgresTargets)`: the same test against the server and the embedded database. */
export const postgresTargets: ScratchTarget[] = [
  { name: 'postgres', create: scratchPostgres },
  { name: 'pglite', create: scratchPglite },
];

function scratchName(label: string): string {
  const suffix = randomBytes(SUFFIX_BYTES).toString('hex');
  const room = MAX_NAME_LENGTH - NAME_PREFIX.length - suffix.length - 1;
  return `${NAME_PREFIX}${sanitize(label).slice(0, room)}_${suffix}`;
}

function sanitize(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = await connectPostgres(adminUrl);
  try {
    await admin.query(sql);
  } finally {
    await admin.close();
  }
}
