import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { Schema } from './dsl-types.js';
import { normalizeSchema } from './normalize.js';

const RELEASE_FILE = /^\d.*\.(ts|mts|js|mjs)$/;

/** Release files of a chain folder, in release (lexical) order. */
export function releaseFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => RELEASE_FILE.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => resolve(dir, f));
}

export const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && (value as { dbtideSchema?: unknown }).dbtideSchema === 1;

/** Imports a release file and normalizes its declaration; errors name the file. */
export async function loadSchemaFile(file: string): Promise<DeclaredSchema> {
  const path = resolve(file);
  if (!existsSync(path)) throw new DbtideError(`schema file ${path} does not exist`, 1, 'pass --schema <file> or add releases to migrations/');
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new DbtideError(`${basename(path)} could not be loaded: ${(error as Error).message}`, 1);
  }
  if (!isSchema(module.default)) {
    throw new DbtideError(`${basename(path)} must default-export defineSchema({...})`, 1);
  }
  try {
    return normalizeSchema(module.default);
  } catch (error) {
    throw new DbtideError(`${basename(path)}: the declaration is invalid:\n${(error as Error).message}`, 1);
  }
}
