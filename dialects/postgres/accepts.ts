/** The URLs the PostgreSQL dialect serves, told apart without loading its drivers. */

export const PGLITE_SCHEME = 'pglite:';

export function isPgliteUrl(url: string): boolean {
  return url.startsWith(PGLITE_SCHEME);
}

/** A PostgreSQL server (`postgres://`, `postgresql://`) or the embedded database (`pglite:`). */
export const acceptsPostgres = (url: string) => /^postgres(ql)?:\/\//i.test(url) || isPgliteUrl(url);
