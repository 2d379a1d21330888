/**
 * The one reading of a server connection URL (`scheme://user:password@host:port/database?k=v`)
 * that dbtide connects with and redacts by, so the password a driver receives is exactly the one
 * kept out of output.
 *
 * Operators type passwords by hand, often without percent-encoding them. The rule: the text after
 * `scheme://` is read as `host[:port][/database][?params]` when it is one; otherwise the userinfo
 * runs to the first `@` after which the rest is one. A database name holds no `/`, `?` or `@` and
 * parameter names are words, so an `@`, `#`, `/`, `?`, `:`, `%` or space in a password stays in
 * the password, while an `@` in a parameter value (`application_name=me@laptop`) stays there.
 * The user ends at the first `:`; valid percent-escapes are decoded (a literal `%41` in a
 * password must be written `%2541`).
 */
import { DbtideError } from './errors.js';

export interface ConnectionUrl {
  /** Lower case, without `://`: `postgres`, `postgresql`, `mysql`, `mariadb`. */
  scheme: string;
  /** Decoded; empty when the URL names none. */
  user: string;
  /** Decoded; undefined when the URL has no `:password` (an empty one is ''). */
  password: string | undefined;
  /** Without the brackets of an IPv6 address; empty when the URL names none. */
  host: string;
  port: number | undefined;
  /** Decoded path; undefined when the URL names none. */
  database: string | undefined;
  /** Decoded, in order. */
  params: [string, string][];
  /** The URL as typed, split where the parts begin, for re-rendering it. */
  raw: { userinfo: string | undefined; hostPort: string; path: string; params: [string, string | undefined][] };
}

/** Query parameters that carry a password (libpq, node-postgres, and habits from other tools). */
const SECRET_PARAMS = new Set(['password', 'sslpassword', 'pass', 'pwd']);

export const isSecretParam = (name: string) => SECRET_PARAMS.has(name.toLowerCase());

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const HOST = String.raw`(?:\[[0-9a-f:.%a-z]*\]|[\p{L}\p{N}_.%~-]*)`;
const REST = new RegExp(String.raw`^(${HOST})(?::(\d*))?(\/[^/?@]*)?(?:\?((?:[\w.-]+(?:=[^&]*)?)?(?:&[\w.-]+(?:=[^&]*)?)*))?$`, 'iu');

// In words: text shaped like a URL with a password would be masked on its way out.
const EXPECTED = 'postgres://user@host:5432/database (mysql:// for MySQL), the password after the user name and a colon';

/** Parses `url`, or returns null for text that is no connection URL. */
export function tryParseConnectionUrl(url: string): ConnectionUrl | null {
  const scheme = SCHEME.exec(url);
  if (!scheme) return null;
  const afterScheme = url.slice(scheme[0].length);
  const readings = [{ userinfo: undefined as string | undefined, rest: afterScheme }];
  for (let at = afterScheme.indexOf('@'); at !== -1; at = afterScheme.indexOf('@', at + 1)) {
    readings.push({ userinfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) });
  }
  for (const { userinfo, rest } of readings) {
    const parts = REST.exec(rest);
    if (parts) return build(scheme[1]!.toLowerCase(), userinfo, parts);
  }
  return null;
}

/** Parses `url` or fails with a message that shows it without its password. */
export function parseConnectionUrl(url: string): ConnectionUrl {
  const parsed = tryParseConnectionUrl(url);
  if (parsed === null) {
    throw new DbtideError(
      `cannot read the database URL ${maskUnparsed(url)}`,
      1,
      `write it as ${EXPECTED}; host is a name, an address or [IPv6 address], and a database name with /, ? or @ is percent-encoded (%2F, %3F, %40)`,
    );
  }
  if (parsed.port !== undefined && (parsed.port < 1 || parsed.port > 65_535)) {
    throw new DbtideError(`the database URL ${redactParsed(parsed)} names port ${parsed.port}`, 1, 'a port is a number from 1 to 65535');
  }
  return parsed;
}

function build(scheme: string, userinfo: string | undefined, parts: RegExpExecArray): ConnectionUrl {
  const [, hostPort = '', port, path, query] = parts;
  const colon = userinfo?.indexOf(':') ?? -1;
  const rawParams: [string, string | undefined][] = query
    ? query.split('&').filter(Boolean).map((pair) => {
        const eq = pair.indexOf('=');
        return eq === -1 ? [pair, undefined] : [pair.slice(0, eq), pair.slice(eq + 1)];
      })
    : [];
  const host = hostPort.replace(/^\[(.*)\]$/, '$1');
  return {
    scheme,
    user: decode(colon === -1 ? (userinfo ?? '') : userinfo!.slice(0, colon)),
    password: colon === -1 ? undefined : decode(userinfo!.slice(colon + 1)),
    host: hostPort.startsWith('[') ? host : decode(host),
    port: port ? Number(port) : undefined,
    database: path && path.length > 1 ? decode(path.slice(1)) : undefined,
    params: rawParams.map(([k, v]) => [decode(k), decode(v ?? '')]),
    raw: { userinfo, hostPort: `${hostPort}${port === undefined ? '' : `:${port}`}`, path: path ?? '', params: rawParams },
  };
}

/** Percent-escapes are decoded where they are valid; anything else is taken as typed. */
function decode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}

const MASK = '***';

/** The URL as typed, with the password and password parameters shown as `***`. */
export function redactParsed(url: ConnectionUrl): string {
  const { userinfo, hostPort, path, params } = url.raw;
  const user = userinfo === undefined ? '' : url.password === undefined ? `${userinfo}@` : `${userinfo.slice(0, userinfo.indexOf(':'))}:${MASK}@`;
  const query = params.map(([k, v]) => (v === undefined ? k : `${k}=${isSecretParam(decode(k)) ? MASK : v}`)).join('&');
  return `${url.scheme}://${user}${hostPort}${path}${params.length > 0 ? `?${query}` : ''}`;
}

/** The URL as typed, naming the database `database` instead: the password reaches the driver unchanged. */
export function withDatabaseName(url: ConnectionUrl, database: string): string {
  const { userinfo, hostPort, params } = url.raw;
  const query = params.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&');
  return `${url.scheme}://${userinfo === undefined ? '' : `${userinfo}@`}${hostPort}/${encodeURIComponent(database)}${params.length > 0 ? `?${query}` : ''}`;
}

/** Every form in which a secret of `url` may appear in text: as typed, decoded and percent-encoded. */
export function secretsOf(url: ConnectionUrl): string[] {
  const typed: [string, string][] = [];
  if (url.password !== undefined) typed.push([url.raw.userinfo!.slice(url.raw.userinfo!.indexOf(':') + 1), url.password]);
  for (const [k, v] of url.raw.params) if (v !== undefined && isSecretParam(decode(k))) typed.push([v, decode(v)]);
  const forms = typed.flatMap(([asTyped, decoded]) => [asTyped, decoded, encodeURIComponent(decoded)]).filter((s) => s !== '');
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** A URL that cannot be parsed, shown without what may be its password: everything between `://` and the last `@`. */
function maskUnparsed(url: string): string {
  const scheme = SCHEME.exec(url);
  const at = url.lastIndexOf('@');
  if (!scheme || at < scheme[0].length) return url.replace(/(password|sslpassword|pass|pwd)=[^&]*/gi, `$1=${MASK}`);
  const userinfo = url.slice(scheme[0].length, at);
  const colon = userinfo.indexOf(':');
  return `${scheme[0]}${colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:${MASK}`}${url.slice(at)}`.replace(/(password|sslpassword|pass|pwd)=[^&]*/gi, `$1=${MASK}`);
}

/** The URL's parameters by name; one the driver would ignore, or one given twice, is refused. */
export function knownParams(url: ConnectionUrl, known: readonly string[], product: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of url.params) {
    if (!known.includes(name)) {
      throw new DbtideError(
        `the database URL ${redactParsed(url)} has the parameter "${name}", which dbtide does not pass to ${product}`,
        1,
        `remove it, or use one of: ${known.join(', ')}`,
      );
    }
    if (params.has(name)) throw new DbtideError(`the database URL ${redactParsed(url)} gives the parameter "${name}" twice`, 1, 'keep one of them');
    params.set(name, value);
  }
  return params;
}
