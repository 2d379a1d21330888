import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A new embedded database runs initdb: seconds of work (most of what a first `dbtide` command or a
 * verify-chain scratch database costs) that always yields the same files. The first one is kept as
 * PGlite's own dump in the system temp directory, per PGlite version and user, and later ones start
 * from it in a fraction of that time. The cache is only ever an optimisation: unreadable, foreign
 * or missing, the database is made by initdb as before.
 */

/** Where the template is kept: per PGlite version and user, in the temp directory of the moment. */
export const templateFile = (): string => {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return join(tmpdir(), `dbtide-pglite-${version}-${process.getuid?.() ?? 'user'}.tar`);
};

/** Only a data directory that does not exist yet or is empty is new; anything else is opened as it is. */
export function isNewDataDir(dataDir: string | undefined): boolean {
  if (dataDir === undefined) return true;
  try {
    return readdirSync(dataDir).length === 0;
  } catch {
    return false;
  }
}

/** The cached fresh cluster, or undefined. A file another user could have written is not trusted. */
export function cachedTemplate(): Blob | undefined {
  try {
    const file = templateFile();
    const stat = statSync(file);
    const mine = process.getuid === undefined || stat.uid === process.getuid();
    if (!mine || (stat.mode & 0o022) !== 0) return undefined;
    return new Blob([readFileSync(file)]);
  } catch {
    return undefined;
  }
}

/**
 * Keeps a just-initialised database as the template. Written aside and renamed, so a reader never
 * sees half a file and two processes racing both leave a whole one.
 */
export async function keepAsTemplate(db: PGlite): Promise<void> {
  try {
    const file = templateFile();
    const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
    const aside = `${file}.${process.pid}`;
    writeFileSync(aside, dump, { mode: 0o600 });
    try {
      renameSync(aside, file);
    } finally {
      rmSync(aside, { force: true });
    }
  } catch {
    // A cache that cannot be written only means the next database runs initdb too.
  }
}

/** Removes the cached template, and what loading it left in `dataDir` (empty before it was tried). */
export function forgetTemplate(dataDir: string | undefined): void {
  rmSync(templateFile(), { force: true });
  if (dataDir === undefined) return;
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
}
