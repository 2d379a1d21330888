/**
 * Keeps passwords out of anything dbtide prints. The password of a URL dbtide connects with is
 * known exactly (the way it was parsed to connect), and every form of it is replaced wherever it
 * shows up; URLs seen nowhere else get a best effort by pattern. Nothing here throws on bad input.
 */
import { redactParsed, secretsOf, tryParseConnectionUrl } from './connection-url.js';

const MASK = '***';

/**
 * `scheme://user:password@host` in free text. Without the URL at hand a password cannot hold a
 * space; it runs to the first `@` followed by a whole host (name or [IPv6], optional numeric
 * port), so when the text is ambiguous this hides too much rather than too little.
 */
const HOST_CHAR = String.raw`[\p{L}\p{N}_.%~-]`;
const HOST_AHEAD = String.raw`(?=(?:\[[^\]\s@]*\]|${HOST_CHAR}*)(?::\d+)?(?!${HOST_CHAR}|[:@]))`;
const USERINFO_PASSWORD = new RegExp(String.raw`\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):\S*?@${HOST_AHEAD}`, 'giu');

/**
 * `password=` and its kin, in a query string or a libpq keyword list. The value stops before
 * closing punctuation that ends the sentence around it (`...?password=pw), then`).
 */
const PARAM_PASSWORD = /(?<![\w-])((?:ssl)?password|pass|pwd)=[^&\s'"<>]*?(?=[)\],;.]*(?:[\s&'"<>]|$))/gi;

/**
 * Secrets of the URLs this process connects with, longest first. A message reaches the printer
 * (or the ledger) through layers that do not carry the URL, so the secrets are kept here.
 */
let guarded: string[] = [];

/** Called with every URL before connecting: from then on `redactText` hides its secrets too. */
export function guardSecretsOf(url: string): void {
  const parsed = tryParseConnectionUrl(url);
  if (parsed === null) return;
  guarded = [...new Set([...guarded, ...secretsOf(parsed)])].sort((a, b) => b.length - a.length);
}

const hide = (text: string, secrets: readonly string[]) => secrets.reduce((t, secret) => t.split(secret).join(MASK), text);

/** The URL with its password and password parameters shown as `***`; text that is no URL gets `redactText`. */
export function redactUrl(url: string): string {
  const parsed = tryParseConnectionUrl(url);
  return parsed === null ? redactText(url) : redactParsed(parsed);
}

/** Hides, in free text (error messages, ledger entries), the guarded secrets and whatever the patterns find. */
export function redactText(text: string): string {
  return hide(text, guarded).replace(USERINFO_PASSWORD, `$1:${MASK}@`).replace(PARAM_PASSWORD, `$1=${MASK}`);
}

/**
 * Hides the secrets of `url` in `text` in every form they may take there (as typed, decoded,
 * percent-encoded), the URL itself included, then whatever `redactText` finds.
 */
export function redactSecrets(text: string, url: string): string {
  const parsed = tryParseConnectionUrl(url);
  if (parsed === null) return redactText(text);
  return redactText(hide(text.split(url).join(redactParsed(parsed)), secretsOf(parsed)));
}
