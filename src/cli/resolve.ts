import { basename, resolve } from 'node:path';
import { CONFIG_FILE, loadConfig, type DbtideConfig, type LoadedConfig } from '../config.js';
import { releaseChain } from '../declaration/load-schema.js';
import { DbtideError } from '../errors.js';

export const EMBEDDED_DIR = '.dbtide/pgdata';

export interface CommonFlags {
  url?: string;
  schema?: string;
  config?: string;
  format: 'text' | 'json' | 'markdown';
  dryRun?: boolean;
  yes?: boolean;
  lockTimeout?: number;
  lockRetries?: number;
  wait?: number;
  maxBlocked?: number;
  databaseSchema?: string;
}

export interface Resolved {
  url: string;
  /** Where the URL came from, for the operator. */
  urlSource: string;
  config: DbtideConfig;
  configFile: string | undefined;
}

/** Values of `CI` that mean "not in CI". */
const OFF = new Set(['', '0', 'false', 'no']);

export const inCi = () => !OFF.has((process.env.CI ?? '').trim().toLowerCase());

/**
 * `--url`, else `DATABASE_URL`, else the config file's `url`. The embedded database is the
 * default only when nothing at all names a database: a config file that yields no URL (its
 * variable unset, a misspelt key) or a CI job without one would otherwise migrate a throwaway
 * database and report success.
 */
export async function resolveUrl(flags: CommonFlags): Promise<Resolved> {
  const loaded = await loadConfig(flags.config ? { file: flags.config } : {});
  const { config, file } = loaded;
  const resolved = (url: string, urlSource: string): Resolved => ({ url, urlSource, config, configFile: file });
  if (flags.url !== undefined) {
    if (flags.url.trim() === '') throw new DbtideError('--url is empty', 1, 'pass a database URL, e.g. --url postgres://app@db:5432/app');
    return resolved(flags.url, '--url');
  }
  if (process.env.DATABASE_URL) return resolved(process.env.DATABASE_URL, 'DATABASE_URL');
  if (config.url) return resolved(config.url, file!);
  if (file) throw noUrlInConfig(loaded);
  if (inCi()) {
    throw new DbtideError(
      `no database named: no --url, no DATABASE_URL and no ${CONFIG_FILE}, and CI is set, so dbtide does not fall back to the embedded database`,
      1,
      `set DATABASE_URL or pass --url; to use the embedded database on purpose, pass --url pglite:${EMBEDDED_DIR}`,
    );
  }
  process.stderr.write(`dbtide: no --url, DATABASE_URL or ${CONFIG_FILE}: using the embedded database in ${EMBEDDED_DIR}\n`);
  return resolved(`pglite:${EMBEDDED_DIR}`, 'embedded');
}

function noUrlInConfig({ file, reads }: LoadedConfig): DbtideError {
  const unset = reads.filter((name) => !process.env[name]);
  const why = unset.length > 0 ? `: it reads ${unset.map((n) => `process.env.${n}`).join(', ')}, which ${unset.length > 1 ? 'are' : 'is'} not set` : '';
  return new DbtideError(
    `${file} names no database URL${why}`,
    1,
    `set ${unset[0] ?? 'DATABASE_URL'}, pass --url, or set url in ${basename(file!)}; dbtide does not fall back to the embedded database when a config file exists (pass --url pglite:${EMBEDDED_DIR} to use it on purpose)`,
    { path: file! },
  );
}

/** `--schema`, else the config file, else the last release of the chain in the migrations folder. */
export async function resolveSchemaFile(flags: CommonFlags, config: DbtideConfig): Promise<string> {
  if (flags.schema) return resolve(flags.schema);
  if (config.schema) return config.schema;
  const dir = config.migrations ?? 'migrations';
  const chain = await releaseChain(dir);
  if (chain.length === 0) {
    throw new DbtideError(
      `no schema to apply: no --schema, no schema in ${CONFIG_FILE}, and no release files in ${resolve(dir)}`,
      1,
      'pass --schema <file>, or add a release such as migrations/001-initial.ts (dbtide pull writes one from a live database)',
    );
  }
  return chain.at(-1)!.file;
}

/** The config file's settings, for commands that connect nowhere (verify-chain). */
export const configOf = async (flags: { config?: string }): Promise<LoadedConfig> => loadConfig(flags.config ? { file: flags.config } : {});

/** A whole number of at least `min`: `--lock-retries 1.5` or `--max-rows 1e3x` is refused, not rounded. */
export function integerFlag(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : '';
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new DbtideError(`${name} needs a whole number${range}, got "${value}"`, 1);
    return n;
  };
}

/** A non-negative number, fractions allowed (seconds). */
export function numberFlag(name: string) {
  return (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n) || n < 0) throw new DbtideError(`${name} needs a non-negative number, got "${value}"`, 1);
    return n;
  };
}
