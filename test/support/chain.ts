import { resolve } from 'node:path';
import { loadChain } from '../../src/declaration/load-schema.js';
import type { DeclaredSchema } from '../../src/model/schema-model.js';

export const MIGRATIONS = resolve(import.meta.dirname, '../../migrations');

/** The example chain, normalized, in release order. */
export async function exampleChain(): Promise<{ file: string; declared: DeclaredSchema }[]> {
  return loadChain(MIGRATIONS);
}
