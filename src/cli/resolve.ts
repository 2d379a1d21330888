import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type DbtideConfig } from '../config.js';
import { releaseFiles } from '../declaration/load-schema.js';
import { DbtideError } from '../errors.js';

export const EMBEDDED_DIR = '.dbtide/pgdata';

export interface CommonFlags {
  url?: string;
  schema?: string;
  format: 'text' | 'json' | 'markdown';
  dryRun?: boolean;
  yes?: boolean;
  lockTimeout?: number;
  lockRetries?: number;
  wait?: number;
  databaseSchema?: string;
}

export interface Resolved {
  url: string;
  /** Where the URL came from, for the operator. */
  urlSource: '--url' | 'DATABASE_URL' | 'dbtide.config.ts' | 'embedded';
  config: DbtideConfig;
}

/** `--url`, else `DATABASE_URL`, else the config file, else the embedded database under `.dbtide/`. */
export async function resolveUrl(flags: CommonFlags): Promise<Resolved> {
  const config = await loadConfig();
  if (flags.url) return { url: flags.url, urlSource: '--url', config };
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, urlSource: 'DATABASE_URL', config };
  if (config.url) return { url: config.url, urlSource: 'dbtide.config.ts', config };
  mkdirSync('.dbtide', { recursive: true });
  process.stderr.write(`dbtide: no --url, DATABASE_URL or dbtide.config.ts: using the embedded database in ${EMBEDDED_DIR}\n`);
  return { url: `pglite:${EMBEDDED_DIR}`, urlSource: 'embedded', config };
}

/** `--schema`, else the config file, else the last release in the migrations folder. */
export function resolveSchemaFile(flags: CommonFlags, config: DbtideConfig): string {
  if (flags.schema) return resolve(flags.schema);
  if (config.schema) return resolve(config.schema);
  const dir = config.migrations ?? 'migrations';
  const files = releaseFiles(dir);
  if (files.length === 0) {
    throw new DbtideError(
      `no schema to apply: no --schema, no schema in dbtide.config.ts, and no release files in ${resolve(dir)}`,
      1,
      'pass --schema <file>, or add a release such as migrations/001-initial.ts (dbtide pull writes one from a live database)',
    );
  }
  return files[files.length - 1]!;
}

export function numberFlag(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new DbtideError(`${name} needs a non-negative number, got "${value}"`, 1);
    return n;
  };
}
