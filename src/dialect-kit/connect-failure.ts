/**
 * Why a connection failed, told the same way for every server: the drivers sort their errors
 * into a few problems, this file says what each means and what to do about it.
 */
import { parseConnectionUrl, redactParsed } from '../connection-url.js';
import { DbtideError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/**
 * How long the TCP connect plus the server's greeting (MySQL) or startup answer (PostgreSQL) may
 * take. A server of the other kind on the port, or a host that drops packets, never answers;
 * a server that does answer does so in milliseconds.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/** `wrong-answer`: something answered, not in the protocol of the server the URL names. */
export type ConnectProblem = 'refused' | 'no-answer' | 'wrong-answer' | 'unknown-database' | 'access-denied' | 'other';

/** The connection a driver tried, as it resolved it (defaults applied). */
export interface ConnectAttempt {
  product: string;
  url: string;
  host: string;
  port: number;
  user: string;
  database: string | undefined;
  /** What creates `database` on this server, for the hint. */
  createDatabase: string;
}

/** Well-known ports, so a URL of one kind pointed at a server of another says so. */
const DEFAULT_PORTS: Record<number, { product: string; scheme: string }> = {
  5432: { product: 'PostgreSQL', scheme: 'postgres://' },
  3306: { product: 'MySQL or MariaDB', scheme: 'mysql://' },
};

export const describeServer = (a: Pick<ConnectAttempt, 'product' | 'host' | 'port' | 'database'>) =>
  `${a.product} at ${hostPort(a)}, database "${a.database ?? ''}"`;

const hostPort = ({ host, port }: { host: string; port: number }) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The failure as an operator reads it; keeps the driver's `code` (SQLSTATE or errno name) for callers. */
export function connectFailure(attempt: ConnectAttempt, problem: ConnectProblem, error: unknown): DbtideError {
  const parsed = parseConnectionUrl(attempt.url);
  const url = redactParsed(parsed);
  const where = hostPort(attempt);
  const serverSays = redactSecrets(reasonOf(error), attempt.url);
  const other = DEFAULT_PORTS[attempt.port];
  const otherKind = other && !other.product.includes(attempt.product) ? other : undefined;
  const [reason, hint] = ((): [string, string] => {
    switch (problem) {
      case 'refused':
        return [`connection refused: nothing listens on ${where}`, `start the server, or fix the host and port in the URL (${url})`];
      case 'no-answer':
      case 'wrong-answer':
        return [
          `the server at ${where} did not answer as ${attempt.product} would ${problem === 'no-answer' ? `within ${CONNECT_TIMEOUT_MS / 1000} s` : `(${serverSays})`}${otherKind ? `; ${attempt.port} is the default port of ${otherKind.product}` : ''}`,
          otherKind
            ? `a ${otherKind.product} server takes a ${otherKind.scheme} URL; fix the scheme or the port in the URL (${url})`
            : `check the host and port in the URL (${url}), and that no firewall drops the connection`,
        ];
      case 'unknown-database':
        return [serverSays, `create it first (${attempt.createDatabase}), or fix the database name in the URL (${url})`];
      case 'access-denied':
        return [
          serverSays,
          `the server refused user "${attempt.user}": check the password in the URL (typed as is or percent-encoded, both work), and that the user exists and may connect to database "${attempt.database ?? ''}"`,
        ];
      case 'other':
        return [serverSays, `check the URL (${url}), that the server is running, and the credentials`];
    }
  })();
  const failure = new DbtideError(`could not connect to ${describeServer(attempt)}: ${reason}`, 1, hint);
  const code = codeOf(error);
  return code === undefined ? failure : Object.assign(failure, { code });
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message; its parts carry the reasons.
  if (error.message === '' && error instanceof AggregateError) return error.errors.map(reasonOf).join('; ');
  return error.message || codeOf(error) || error.name;
}

/** The driver's error code (SQLSTATE, errno name), when it has one. */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
