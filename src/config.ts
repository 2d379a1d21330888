import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DbtideError } from './errors.js';

/** What `dbtide.config.ts` may set. Command-line flags and environment variables win over it. */
export interface DbtideConfig {
  /** Database URL. `DATABASE_URL` and `--url` take precedence. */
  url?: string;
  /** The release file to apply; default: the last release in `migrations`. */
  schema?: string;
  /** Folder of release files, applied in lexical order. Default `migrations`. */
  migrations?: string;
  /** PostgreSQL schema holding the tables (default `public`). */
  databaseSchema?: string;
  lockTimeoutMs?: number;
  lockRetries?: number;
}

export const defineConfig = (config: DbtideConfig): DbtideConfig => config;

export const CONFIG_FILE = 'dbtide.config.ts';

export async function loadConfig(cwd = process.cwd()): Promise<DbtideConfig> {
  const file = resolve(cwd, CONFIG_FILE);
  if (!existsSync(file)) return {};
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new DbtideError(`${file} could not be loaded: ${(error as Error).message}`, 1, 'fix the file or remove it');
  }
  if (typeof module.default !== 'object' || module.default === null) {
    throw new DbtideError(`${file} must default-export defineConfig({...})`, 1);
  }
  return module.default as DbtideConfig;
}
