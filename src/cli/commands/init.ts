import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { pull, type PullResult } from '../../api.js';
import { CONFIG_FILE } from '../../config.js';
import { DbtideError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { jsonReport, textReport, type Named, type Written } from '../init/report.js';
import { configSource, INITIAL_RELEASE, starterRelease, type ConfigUrl } from '../init/sources.js';

interface InitFlags {
  url?: string;
  fromDatabase?: boolean;
  migrations: string;
  databaseSchema?: string;
  format: 'text' | 'json';
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      `set up dbtide here: write ${CONFIG_FILE} and a first release, <migrations>/${INITIAL_RELEASE}.ts, declaring the tables of the database --url or DATABASE_URL names, else an example table; only reads the database, and overwrites no file`,
    )
    .option('--url <url>', 'database to adopt (else DATABASE_URL); a URL with a password is not written to the config file')
    .option('--from-database', `always declare the database as it is (what dbtide pull writes), never the example: an error when none is named or it cannot be read`)
    .option('--migrations <dir>', 'folder for release files; it must be empty or missing', 'migrations')
    .option('--database-schema <name>', 'PostgreSQL schema (MySQL: database) holding the tables; written to the config file too')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: InitFlags) => {
      const cwd = process.cwd();
      const shown = (path: string) => relative(cwd, path).split(sep).join('/') || '.';
      const configFile = join(cwd, CONFIG_FILE);
      const dir = resolve(cwd, flags.migrations);
      refuseExisting(configFile, dir, shown);
      const named = namedDatabase(flags);
      if (flags.fromDatabase && !named) {
        throw new DbtideError(
          '--from-database: no database named: no --url and no DATABASE_URL',
          1,
          `pass --url postgres://user@host:5432/db (or set DATABASE_URL); without --from-database, init writes a release with an example table`,
        );
      }
      const pulled = named ? await pullFrom(named, flags) : undefined;
      const adopted = pulled && (flags.fromDatabase || Object.keys(pulled.model.tables).length > 0) ? pulled : undefined;

      const releaseFile = join(dir, `${INITIAL_RELEASE}.ts`);
      const url = configUrl(named);
      mkdirSync(dir, { recursive: true });
      // `wx`: should a file appear after the checks above, it is still not overwritten.
      writeFileSync(releaseFile, adopted ? adopted.source : starterRelease(INITIAL_RELEASE), { flag: 'wx' });
      writeFileSync(configFile, configSource({ url, migrations: shown(dir), ...(flags.databaseSchema ? { databaseSchema: flags.databaseSchema } : {}) }), { flag: 'wx' });

      const written: Written = { configFile: shown(configFile), releaseFile: shown(releaseFile), named, pulled, adopted, url };
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(jsonReport(written))}\n`);
      else process.stderr.write(`${textReport(written).join('\n')}\n`);
    });
}

/** Init sets up a new project: an existing config or release files are the user's, so it stops rather than guess. */
function refuseExisting(configFile: string, dir: string, shown: (path: string) => string): void {
  if (existsSync(configFile)) {
    throw new DbtideError(
      `${configFile} exists: dbtide init overwrites no file`,
      1,
      `edit it instead (README.md, "Configuration"), or move it away and run dbtide init again; dbtide pull --out ${shown(dir)}/${INITIAL_RELEASE}.ts --release ${INITIAL_RELEASE} writes a first release alone`,
      { path: configFile },
    );
  }
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new DbtideError(`${dir} is a file, not a folder for release files`, 1, 'pass --migrations <dir> naming a new or empty folder', { path: dir });
  }
  // Another tool's migrations (`20240101_users.js`) would read as dbtide releases: their names start with a digit.
  const files = readdirSync(dir).filter((name) => !name.startsWith('.'));
  if (files.length > 0) {
    const listed = files.length > 3 ? `${files.slice(0, 3).join(', ')}, ...` : files.join(', ');
    throw new DbtideError(
      `${dir} is not empty (${files.length} file(s): ${listed}): dbtide init overwrites no file`,
      1,
      'pass --migrations <dir> naming a new or empty folder, or move the files away; dbtide reads each file there whose name starts with a digit as a release',
      { path: dir },
    );
  }
}

/** Only a database the user names: init neither reads a config file (it writes one) nor falls back to the embedded database. */
function namedDatabase(flags: InitFlags): Named | undefined {
  if (flags.url !== undefined) {
    if (flags.url.trim() === '') throw new DbtideError('--url is empty', 1, 'pass a database URL, e.g. --url postgres://app@db:5432/app');
    return { url: flags.url, source: '--url' };
  }
  return process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, source: 'DATABASE_URL' } : undefined;
}

async function pullFrom(named: Named, flags: InitFlags): Promise<PullResult> {
  const databaseSchema = flags.databaseSchema;
  try {
    return await pull({ url: named.url, ...(databaseSchema ? { databaseSchema, databaseSchemaSource: '--database-schema' } : {}) }, { release: INITIAL_RELEASE });
  } catch (error) {
    if (!(error instanceof DbtideError) || flags.fromDatabase) throw error;
    const instead = named.source === '--url' ? 'without --url' : 'with DATABASE_URL unset';
    throw new DbtideError(error.message, error.exitCode, `${error.hint ?? `check ${named.source}`}; to start from an example table instead, run dbtide init ${instead}`, error.details);
  }
}

/** A URL without a password may be written as it is; one with a password is read from the environment instead. */
function configUrl(named: Named | undefined): ConfigUrl {
  if (named?.source !== '--url') return { kind: 'env' };
  const masked = redactUrl(named.url);
  return masked === named.url ? { kind: 'literal', url: named.url } : { kind: 'env', masked };
}
