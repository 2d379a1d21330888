import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DbtideError } from '../errors.js';

/** One database of a fleet: a cell, a tenant. Its URL is given, or read from a variable when used. */
export interface FleetTarget {
  name: string;
  url?: string;
  urlEnv?: string;
  /** The stage it belongs to (`--stage eu,us`); none: the last stage. */
  group?: string;
}

/** Targets listed by a query on a catalog database (the cells' mapping table): rows of `name`, `url` and optionally `group`. */
export interface FleetCatalog {
  url?: string;
  urlEnv?: string;
  query: string;
}

export interface FleetFile {
  targets: FleetTarget[];
  catalog?: FleetCatalog;
}

/** The fleet files looked for in the working directory when `--fleet` names none. */
export const FLEET_FILES = ['fleet.json', 'fleet.yaml', 'fleet.yml'];

/**
 * The fleet a command runs on: `--fleet <file>`, else the config's `fleet` (a file, or the
 * file's content), else a fleet file in the working directory.
 */
export function fleetOf(flag: string | undefined, config: { file?: string; fleet?: string | FleetFile | undefined }, cwd = process.cwd()): FleetFile {
  if (flag !== undefined || config.fleet === undefined) return readFleetFile(flag, cwd).fleet;
  if (typeof config.fleet === 'string') return readFleetFile(config.fleet, cwd).fleet;
  return checkFleet(config.fleet, `${config.file ?? 'the config'}: fleet`);
}

/** Reads and checks a fleet file (JSON or YAML); `file` undefined: the first of FLEET_FILES here. */
export function readFleetFile(file: string | undefined, cwd = process.cwd()): { file: string; fleet: FleetFile } {
  const path = file === undefined ? FLEET_FILES.map((f) => resolve(cwd, f)).find(existsSync) : resolve(cwd, file);
  if (path === undefined) {
    throw new DbtideError(`no fleet file: no --fleet, no fleet in dbtide.config.ts, and none of ${FLEET_FILES.join(', ')} in ${cwd}`, 1, 'write fleet.json listing the databases ({"targets": [{"name": "cell1", "urlEnv": "CELL1_DATABASE_URL"}]}), or pass --fleet <file>');
  }
  if (!existsSync(path)) throw new DbtideError(`fleet file ${path} does not exist`, 1, 'pass --fleet <file> naming a fleet.json or fleet.yaml');
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = ['.yaml', '.yml'].includes(extname(path)) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new DbtideError(`fleet file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, 1, 'fix the file', { path });
  }
  return { file: path, fleet: checkFleet(data, `fleet file ${path}`) };
}

/** The fleet file's shape, every problem named by its path in `where`; a URL is never echoed (it may hold a password). */
export function checkFleet(data: unknown, where: string): FleetFile {
  const problems: string[] = [];
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (!record(data)) throw invalid(where, ['the file must hold an object: {"targets": [...]} or {"catalog": {...}}']);
  const unknown = Object.keys(data).filter((k) => k !== 'targets' && k !== 'catalog');
  if (unknown.length > 0) problems.push(`unknown key(s) ${unknown.join(', ')}: a fleet file has targets and catalog`);
  const targets: FleetTarget[] = [];
  if (data.targets !== undefined && !Array.isArray(data.targets)) problems.push('targets: must be a list');
  for (const [i, t] of (Array.isArray(data.targets) ? data.targets : []).entries()) {
    const at = `targets[${i}]`;
    if (!record(t)) {
      problems.push(`${at}: must be an object with name and url or urlEnv`);
      continue;
    }
    const extra = Object.keys(t).filter((k) => !['name', 'url', 'urlEnv', 'group'].includes(k));
    if (extra.length > 0) problems.push(`${at}: unknown key(s) ${extra.join(', ')} (name, url, urlEnv, group)`);
    if (!text(t.name)) problems.push(`${at}.name: a non-empty name is required`);
    if ((t.url === undefined) === (t.urlEnv === undefined)) problems.push(`${at}: exactly one of url and urlEnv`);
    for (const key of ['url', 'urlEnv', 'group'] as const) if (t[key] !== undefined && !text(t[key])) problems.push(`${at}.${key}: must be a non-empty string`);
    targets.push({ name: String(t.name), ...(t.url === undefined ? {} : { url: String(t.url) }), ...(t.urlEnv === undefined ? {} : { urlEnv: String(t.urlEnv) }), ...(t.group === undefined ? {} : { group: String(t.group) }) });
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) problems.push(`targets: the name ${t.name} is listed twice`);
    seen.add(t.name);
  }
  let catalog: FleetCatalog | undefined;
  if (data.catalog !== undefined) {
    const c = data.catalog;
    if (!record(c) || !text(c.query) || (c.url === undefined) === (c.urlEnv === undefined)) {
      problems.push('catalog: needs query and exactly one of url and urlEnv, e.g. {"urlEnv": "API_DATABASE_URL", "query": "SELECT name, url FROM cells"}');
    } else {
      catalog = { query: String(c.query), ...(c.url === undefined ? {} : { url: String(c.url) }), ...(c.urlEnv === undefined ? {} : { urlEnv: String(c.urlEnv) }) };
    }
  }
  if (data.targets === undefined && data.catalog === undefined) problems.push('no targets and no catalog: list the databases under targets, or a catalog query that returns them');
  if (problems.length > 0) throw invalid(where, problems);
  return { targets, ...(catalog ? { catalog } : {}) };
}

const invalid = (where: string, problems: string[]) =>
  new DbtideError(`${where} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`, 1, 'README.md ("Fleets") shows the file');

/** A target's URL, read from its variable when it names one. */
export function targetUrl(target: { name: string; url?: string; urlEnv?: string }, env: Record<string, string | undefined> = process.env): string {
  if (target.url !== undefined) return target.url;
  const value = env[target.urlEnv!];
  if (!value) throw new DbtideError(`fleet target ${target.name}: ${target.urlEnv} is not set`, 1, `set ${target.urlEnv} to the database URL of ${target.name}`);
  return value;
}
