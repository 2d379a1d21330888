import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import { userFrame } from './caller-location.js';
import { DeclarationError } from './declaration-error.js';
import type { Schema } from './dsl-types.js';
import { normalizeSchema } from './normalize.js';
import { importUserModule } from './user-modules.js';

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/** Files of a chain folder that hold releases: a leading digit, a script extension. */
const RELEASE_FILE = /^\d.*\.(ts|mts|js|mjs)$/;

export const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && (value as { dbtideSchema?: unknown }).dbtideSchema === 1;

/** Imports a release file; every way it can fail names the file (and the line, where one is known). */
export async function importRelease(file: string): Promise<Schema> {
  const path = resolve(file);
  if (!existsSync(path)) throw new DbtideError(`release file ${path} does not exist`, 1, 'pass --schema <file>, or add releases to migrations/', { path });
  if (!statSync(path).isFile()) throw new DbtideError(`${path} is not a file`, 1, 'pass --schema <release file>', { path });
  if (!EXTENSIONS.includes(extname(path))) {
    throw new DbtideError(
      `${path} is not a release file: a release is a TypeScript or JavaScript module (${EXTENSIONS.join(', ')})`,
      1,
      'pass --schema <file> naming a file that default-exports defineSchema({...})',
      { path },
    );
  }
  let module: { default?: unknown };
  try {
    module = (await importUserModule(path)) as { default?: unknown };
  } catch (error) {
    throw loadFailure(path, error);
  }
  if (!isSchema(module.default)) {
    throw new DbtideError(`${path} must default-export defineSchema({...})`, 1, 'export default defineSchema({ release: "...", tables: {...} })', { path });
  }
  return module.default;
}

/** Imports a release file and normalizes its declaration; errors name the file and the path in it. */
export async function loadSchemaFile(file: string): Promise<DeclaredSchema> {
  return normalizeRelease(resolve(file), await importRelease(file));
}

export function normalizeRelease(file: string, schema: Schema): DeclaredSchema {
  try {
    return normalizeSchema(schema);
  } catch (error) {
    if (error instanceof DeclarationError) throw invalidDeclaration(error.location ?? file, error);
    throw error;
  }
}

function invalidDeclaration(where: string, error: DeclarationError): DbtideError {
  const lines = error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  return new DbtideError(
    `${where}: the declaration is invalid (${error.issues.length} problem(s)); nothing was changed:\n${lines}`,
    1,
    'fix the release file; README.md ("Declaring a schema") lists every key a declaration takes',
    { path: where, issues: error.issues },
  );
}

function loadFailure(path: string, error: unknown): DbtideError {
  if (error instanceof DeclarationError) return invalidDeclaration(error.location ?? path, error);
  if (error instanceof DbtideError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = (error instanceof Error ? userFrame(error.stack) : undefined) ?? path;
  return new DbtideError(
    `${where}: the release file could not be loaded: ${message}`,
    1,
    where === path ? `fix ${basename(path)} (or a file it imports)` : `the error was raised at ${where}`,
    { path: where },
  );
}

/** The release files of a chain folder (a leading digit and a script extension), unordered. */
function releaseFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => RELEASE_FILE.test(f) && !f.endsWith('.d.ts'))
    .map((f) => resolve(dir, f));
}

export interface ChainRelease {
  file: string;
  schema: Schema;
}

/**
 * The releases of a chain folder in the order their `extends` links them, first release first.
 * File names do not order a chain (`10-pay` sorts before `2-rename`): a chain that forks, has a
 * gap, starts twice or repeats a release name is refused, naming the files.
 */
export async function releaseChain(dir: string): Promise<ChainRelease[]> {
  const releases: ChainRelease[] = [];
  for (const file of releaseFiles(dir)) releases.push({ file, schema: await importRelease(file) });
  if (releases.length === 0) return [];
  const where = (r: ChainRelease) => basename(r.file);
  const refuse = (message: string) =>
    new DbtideError(`the release chain in ${resolve(dir)} ${message}`, 1, 'each release after the first extends its predecessor: `import previous from "./001-initial.js"` and `extends: previous`', { path: resolve(dir) });

  const byName = new Map<string, ChainRelease>();
  for (const r of releases) {
    const other = byName.get(r.schema.release);
    if (other) throw refuse(`declares release "${r.schema.release}" twice: ${where(other)} and ${where(r)}`);
    byName.set(r.schema.release, r);
  }
  const roots = releases.filter((r) => !r.schema.previous);
  if (roots.length > 1) throw refuse(`starts more than once: ${roots.map(where).join(', ')} extend no release; only the first release may stand alone`);
  for (const r of releases) {
    const previous = r.schema.previous?.release;
    if (previous !== undefined && !byName.has(previous)) {
      throw refuse(`has a gap: ${where(r)} extends release "${previous}", which no file in the folder declares`);
    }
  }
  const next = new Map<string, ChainRelease[]>();
  for (const r of releases) if (r.schema.previous) next.set(r.schema.previous.release, [...(next.get(r.schema.previous.release) ?? []), r]);
  for (const [previous, children] of next) {
    if (children.length > 1) throw refuse(`forks: ${children.map(where).join(' and ')} both extend "${previous}" (${where(byName.get(previous)!)})`);
  }
  const ordered: ChainRelease[] = [];
  for (let r: ChainRelease | undefined = roots[0]; r; r = next.get(r.schema.release)?.[0]) ordered.push(r);
  if (ordered.length !== releases.length) {
    const unreached = releases.filter((r) => !ordered.includes(r));
    throw refuse(`has no first release reaching ${unreached.map(where).join(', ')}: their extends links form a loop`);
  }
  return ordered;
}

/** The chain folder's releases, normalized, in release order. */
export async function loadChain(dir: string): Promise<{ file: string; declared: DeclaredSchema }[]> {
  return (await releaseChain(dir)).map(({ file, schema }) => ({ file, declared: normalizeRelease(file, schema) }));
}
