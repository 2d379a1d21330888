/** What `dbtide verify-chain` found: plain data, rendered as text, JSON or JUnit XML. */

export type CheckName = 'install' | 'seed' | 'expand' | 'compatibility' | 'rollback' | 'migrate' | 'contract' | 'schema-equality' | 'idempotence' | 'phase-policy' | 'data';

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  ms: number;
  /** One line for the table: what was checked, or what failed. */
  summary: string;
  /** On failure: the whole story (a schema diff, the failing statement, the database's message). */
  details?: string[];
}

export interface ReleaseResult {
  release: string;
  /** The release file, relative to the working directory. */
  file: string;
  checks: CheckResult[];
  ok: boolean;
  ms: number;
}

export interface ChainReport {
  /** Server and version the chain ran on, as its capabilities name them: `PostgreSQL 15.4`, `MariaDB 10.11.19`. */
  server: string;
  /** Where the scratch databases were made (password-free). */
  target: string;
  releases: ReleaseResult[];
  ok: boolean;
  ms: number;
}
