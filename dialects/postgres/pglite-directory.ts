import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DbtideError } from '../../src/errors.js';

/**
 * The embedded database's data directory, created when missing, or an error saying why it cannot
 * be. Checked before PGlite opens it: PGlite (and Node's recursive mkdir under /proc) spin
 * forever on a directory they cannot create, with no message.
 */
export function usableDirectory(location: string): string {
  const dir = resolve(process.cwd(), location);
  try {
    const missing: string[] = [];
    let existing = dir;
    while (!exists(existing)) {
      missing.unshift(existing);
      existing = dirname(existing);
    }
    if (!statSync(existing).isDirectory()) throw new Error(`${existing} is not a directory`);
    accessSync(existing, constants.R_OK | constants.W_OK | constants.X_OK);
    // One level at a time, so a refusal is reported rather than retried.
    for (const level of missing) mkdirSync(level);
    return dir;
  } catch (error) {
    throw new DbtideError(
      `cannot use ${dir} for the embedded database: ${(error as Error).message}`,
      1,
      'name a directory this process can create and write (pglite:<directory>), or use pglite:memory for a throwaway database',
    );
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}
