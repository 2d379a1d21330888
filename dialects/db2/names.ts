/**
 * Db2 folds an unquoted name to upper case, so the application's `SELECT ... FROM instances` reads
 * INSTANCES. A name declared in lower case is therefore stored in upper case (quoted, so a reserved
 * word stays a name), and a stored upper-case name reads back in lower case. A name with an upper-case
 * letter is kept as written: it needs quotes in the application's SQL on every server.
 */
export const storedName = (declared: string) => (declared === declared.toLowerCase() ? declared.toUpperCase() : declared);

/** The declared spelling of a name as the catalog stores it (the inverse of `storedName`). */
export const declaredName = (stored: string) => (stored === stored.toUpperCase() ? stored.toLowerCase() : stored);

export const quote = (identifier: string) => `"${storedName(identifier).replace(/"/g, '""')}"`;

/** A string literal: Db2 has no backslash escapes. */
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
