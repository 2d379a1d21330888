/**
 * Keeps passwords out of anything dbtide prints: connection URLs, and driver messages that may
 * quote them. Pure string work, so it cannot throw on input that is not a valid URL.
 */

const MASK = '***';

/**
 * `scheme://user:password@host`. A hand-typed password may hold unescaped `@`, `/` or `:`, so it
 * runs to the first `@` that is followed by a whole host (name or [IPv6], optional numeric port);
 * when the text is ambiguous this hides too much rather than too little.
 */
const HOST_CHAR = String.raw`[\p{L}\p{N}_.%~-]`;
const HOST_AHEAD = String.raw`(?=(?:\[[^\]\s@]*\]|${HOST_CHAR}*)(?::\d+)?(?!${HOST_CHAR}|[:@]))`;
const USERINFO_PASSWORD = new RegExp(String.raw`\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):\S*?@${HOST_AHEAD}`, 'giu');

/** libpq and node-postgres also accept the password as a query parameter. */
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#\s]*/gi;

/** Replaces the password of a connection URL with `***`; a URL without one is returned unchanged. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Replaces the password of every URL found in free text (error messages, logs) with `***`. */
export function redactText(text: string): string {
  return text.replace(USERINFO_PASSWORD, `$1:${MASK}@`).replace(QUERY_PASSWORD, `$1${MASK}`);
}
