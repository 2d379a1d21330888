import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DeclarationIssue } from './declaration/declaration-error.js';
import { userFrame } from './declaration/caller-location.js';
import { importUserModule } from './declaration/user-modules.js';
import { DbtideError } from './errors.js';
import type { FleetFile } from './fleet/fleet-file.js';
import { integer, isPlainObject, object, string, union } from './validate/shape.js';

/** What `dbtide.config.ts` may set. Command-line flags and environment variables win over it. */
export interface DbtideConfig {
  /** Database URL. `DATABASE_URL` and `--url` take precedence. Undefined (an unset variable) is as if left out. */
  url?: string | undefined;
  /** The release file to apply, relative to the config file; default: the last release of `migrations`. */
  schema?: string | undefined;
  /** Folder of release files, relative to the config file. Default `migrations`. */
  migrations?: string | undefined;
  /** PostgreSQL schema (MySQL: database) holding the tables; default: the URL's. */
  databaseSchema?: string | undefined;
  lockTimeoutMs?: number;
  lockRetries?: number;
  /** How long a step may wait for other sessions to release its table; `--max-blocked` wins. */
  maxBlockedSeconds?: number;
  /**
   * `dbtide fleet`'s databases: a fleet file (relative to the config file), or the file's content
   * here, e.g. built from the environment; `--fleet` wins.
   */
  fleet?: string | FleetFile | undefined;
}

export const defineConfig = (config: DbtideConfig): DbtideConfig => config;

export const CONFIG_FILE = 'dbtide.config.ts';

const configShape = object(
  {
    url: string({ nonEmpty: true }),
    schema: string({ nonEmpty: true }),
    migrations: string({ nonEmpty: true }),
    databaseSchema: string({ nonEmpty: true }),
    lockTimeoutMs: integer({ min: 1 }),
    lockRetries: integer({ min: 0 }),
    maxBlockedSeconds: integer({ min: 0 }),
    // The object is checked where it is used, as a fleet file is (fleet-file.ts).
    fleet: union('a fleet file path or {targets, catalog}', (v) => (typeof v === 'string' ? string({ nonEmpty: true }) : isPlainObject(v) ? object({}, { ignore: ['targets', 'catalog'] }) : null)),
  },
  { insteadOf: { databaseUrl: '`url:`', connectionString: '`url:`', migrationsDir: '`migrations:`', migrationsFolder: '`migrations:`' } },
);

export interface LoadedConfig {
  config: DbtideConfig;
  /** The file it came from; none when no config file was found. */
  file?: string;
  /** Environment variables the file reads (`process.env.X`), to name in messages. */
  reads: string[];
}

/**
 * `--config <file>`, else the nearest `dbtide.config.ts` in the working directory or a parent
 * (as a project's tools are run from any folder of it). Validated strictly: a misspelt key
 * (`uri:`) would otherwise be dropped and dbtide would quietly use another database.
 */
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const file = options.file ? resolve(options.file) : findConfig(options.cwd ?? process.cwd());
  if (file === undefined) return { config: {}, reads: [] };
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new DbtideError(`config file ${file} does not exist`, 1, 'pass --config <file> naming an existing dbtide.config.ts', { path: file });
  }
  let module: { default?: unknown };
  try {
    module = (await importUserModule(file)) as { default?: unknown };
  } catch (error) {
    const where = (error instanceof Error ? userFrame(error.stack) : undefined) ?? file;
    throw new DbtideError(`${where}: the config file could not be loaded: ${(error as Error).message}`, 1, 'fix the file or remove it', { path: where });
  }
  const issues: DeclarationIssue[] = [];
  configShape(module.default, '', (path, message) => issues.push({ path: path || 'export default', message: path ? message : `${message}: export default defineConfig({...})` }));
  if (issues.length > 0) {
    throw new DbtideError(
      `${file}: the configuration is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      1,
      'README.md ("Configuration") lists the keys dbtide.config.ts takes',
      { path: file, issues },
    );
  }
  const config = { ...(module.default as DbtideConfig) };
  // Paths in the file are the file's own: the same wherever dbtide is run from.
  for (const key of ['schema', 'migrations', 'fleet'] as const) {
    const value = config[key];
    if (typeof value === 'string') config[key] = resolve(dirname(file), value);
  }
  return { config, file, reads: envReads(readFileSync(file, 'utf8')) };
}

function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_FILE);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

const envReads = (source: string): string[] => [
  ...new Set([...source.matchAll(/process\.env(?:\.([A-Za-z_]\w*)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])/g)].map((m) => (m[1] ?? m[2])!)),
];
