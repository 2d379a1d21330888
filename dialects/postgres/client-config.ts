/**
 * The node-postgres settings of a `postgres://` URL, built from dbtide's own reading of it, so a
 * hand-typed password reaches the server exactly as typed. Parameters follow node-postgres's
 * meaning of them; any other is refused rather than ignored.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { CONNECT_TIMEOUT_MS } from '../../src/dialect-kit/connect-failure.js';
import { knownParams, redactParsed, type ConnectionUrl } from '../../src/connection-url.js';
import { DbtideError } from '../../src/errors.js';

const SESSION_PARAMS = ['application_name', 'fallback_application_name', 'options', 'client_encoding', 'statement_timeout'] as const;
const TLS_FILES = { sslcert: 'cert', sslkey: 'key', sslrootcert: 'ca' } as const;
const PARAMS = ['host', 'port', 'user', 'password', 'ssl', 'sslmode', ...Object.keys(TLS_FILES), ...SESSION_PARAMS];

export const DEFAULT_PORT = 5432;

export function clientConfig(url: ConnectionUrl): pg.ClientConfig {
  const params = knownParams(url, PARAMS, 'PostgreSQL');
  const port = params.get('port') ?? url.port;
  if (typeof port === 'string' && !/^\d+$/.test(port)) throw new DbtideError(`the database URL ${redactParsed(url)} has port=${port}`, 1, 'a port is a number from 1 to 65535');
  const config: pg.ClientConfig = {
    host: params.get('host') ?? (url.host || undefined),
    port: port === undefined ? undefined : Number(port),
    user: params.get('user') ?? (url.user || undefined),
    password: params.get('password') ?? url.password,
    database: url.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  };
  for (const name of SESSION_PARAMS) if (params.has(name)) Object.assign(config, { [name]: params.get(name) });
  const ssl = tlsOf(url, params);
  return ssl === undefined ? config : { ...config, ssl };
}

/** `sslmode` as node-postgres reads it (prefer, require, verify-ca and verify-full all verify), else `ssl`. */
function tlsOf(url: ConnectionUrl, params: Map<string, string>): pg.ClientConfig['ssl'] {
  const files = Object.fromEntries(
    Object.entries(TLS_FILES).flatMap(([param, option]) => (params.has(param) ? [[option, readTlsFile(url, param, params.get(param)!)]] : [])),
  );
  const mode = params.get('sslmode');
  if (mode !== undefined) {
    if (mode === 'disable') return false;
    if (mode === 'no-verify') return { ...files, rejectUnauthorized: false };
    if (['prefer', 'require', 'verify-ca', 'verify-full'].includes(mode)) return files;
    throw new DbtideError(`the database URL ${redactParsed(url)} has sslmode=${mode}`, 1, 'sslmode is one of disable, prefer, require, verify-ca, verify-full, no-verify');
  }
  const ssl = params.get('ssl');
  if (ssl === undefined) return Object.keys(files).length > 0 ? files : undefined;
  if (ssl === 'true' || ssl === '1') return Object.keys(files).length > 0 ? files : true;
  if (ssl === 'false' || ssl === '0') return false;
  if (ssl === 'no-verify') return { ...files, rejectUnauthorized: false };
  throw new DbtideError(`the database URL ${redactParsed(url)} has ssl=${ssl}`, 1, 'ssl is true, false or no-verify (or use sslmode)');
}

function readTlsFile(url: ConnectionUrl, param: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DbtideError(`cannot read ${param}=${file} of the database URL ${redactParsed(url)}: ${(error as Error).message}`, 1, `give ${param} a file this process can read`);
  }
}
