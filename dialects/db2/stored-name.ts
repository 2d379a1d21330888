/** A name as the catalog stores it (a schema from CURRENT SCHEMA, a user from SESSION_USER), quoted as is: names.ts's `quote` takes declared names. */
export const quoteStored = (stored: string) => `"${stored.replace(/"/g, '""')}"`;
