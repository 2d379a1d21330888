import { randomUUID } from 'node:crypto';
import type { Connection, Dialect } from '../dialect.js';
import type { RunKind } from '../plan/step.js';
import type { ColumnType } from '../model/column-type.js';
import type { ColumnModel, TableModel } from '../model/schema-model.js';
import type { RanSqlStep } from '../model/transition.js';

/** A statement that ran, with its phase and step (a step's statements run together). */
export interface JournaledStatement {
  phase: RunKind;
  step_id: string;
  sql: string;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface RunRecord {
  id: string;
  phase: RunKind;
  release: string;
  schema_hash: string;
  /** `interrupted`: stopped on request (Ctrl-C, SIGTERM) between two commits; a rerun resumes. */
  status: RunStatus;
  started_at: Date | string;
  finished_at: Date | string | null;
  message: string | null;
}

/**
 * The most lanes a job is split into, what a lane's id may number: up to 16 of about a full batch,
 * then shorter ones as the job nears its end (src/migrate/backfill-lanes.ts).
 */
export const MAX_LANES = 24;

/** A lane's checkpoint is a job of its own, named after the job it is part of. */
export const laneId = (jobId: string, lane: number) => `${jobId}#${lane}`;

const laneIds = (jobId: string) => Array.from({ length: MAX_LANES }, (_, i) => laneId(jobId, i + 1));

/** Where a backfill or data move stands; keys are JSON arrays of key values. */
export interface JobCheckpoint {
  upper_key: string | null;
  last_key: string | null;
  rows_done: string | number;
  status: 'running' | 'done';
}

export interface JobRecord {
  job_id: string;
  rows_done: string | number;
  status: 'running' | 'done';
  updated_at: Date | string;
}

export interface StatementRecord {
  stepId: string;
  index: number;
  sql: string;
  attempts: number;
  startedAt: Date;
}

/**
 * The ledger's tables `_dbtide_runs`, `_dbtide_journal`, `_dbtide_backfills` and
 * `_dbtide_sql_steps`, declared like any table, so each dialect's compiler creates them; only the
 * types of times and long texts differ. A ledger an older dbtide made lacks the last: the next
 * run creates it (`ensure`), and reading it before then finds no raw step run.
 */
export function ledgerTables(dialect: Pick<Dialect, 'runtime'>): TableModel[] {
  const { timestamp, longText } = dialect.runtime.ledgerTypes;
  const c = (name: string, type: ColumnType, nullable = false): ColumnModel => ({ name, type, nullable, default: null, identity: null });
  const varchar = (length: number): ColumnType => ({ kind: 'varchar', length });
  const table = (name: string, columns: ColumnModel[], key: string[]): TableModel => ({
    name,
    columns,
    primaryKey: { name: `${name}_pkey`, columns: key },
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
  });
  return [
    table('_dbtide_runs', [
      c('id', varchar(36)),
      c('phase', varchar(16)),
      c('release', varchar(255)),
      c('schema_hash', varchar(64)),
      c('status', varchar(16)),
      c('started_at', timestamp),
      c('finished_at', timestamp, true),
      c('message', { kind: 'text' }, true),
    ], ['id']),
    table('_dbtide_journal', [
      c('run_id', varchar(36)),
      c('step_id', varchar(255)),
      c('statement_index', { kind: 'int' }),
      c('sql', longText),
      c('status', varchar(16)),
      c('attempts', { kind: 'int' }),
      c('error', { kind: 'text' }, true),
      c('started_at', timestamp),
      c('finished_at', timestamp, true),
    ], ['run_id', 'step_id', 'statement_index']),
    table('_dbtide_backfills', [
      c('job_id', varchar(255)),
      c('upper_key', { kind: 'text' }, true),
      c('last_key', { kind: 'text' }, true),
      c('rows_done', { kind: 'bigint' }),
      c('status', varchar(16)),
      c('updated_at', timestamp),
    ], ['job_id']),
    table('_dbtide_sql_steps', [
      c('release', varchar(255)),
      c('step_id', varchar(255)),
      c('up_hash', varchar(64)),
      c('run_id', varchar(36)),
      c('finished_at', timestamp),
    ], ['release', 'step_id']),
  ];
}

/**
 * The journal of runs and statements, kept in the database it describes so that state survives
 * the process and is visible to every operator.
 */
export class Ledger {
  constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
  ) {}

  private p = (i: number) => this.dialect.runtime.param(i);
  /** Quoted: `release` and `sql` are reserved words in MySQL, and Db2 takes no unquoted name starting with `_`. */
  private q = (name: 'release' | 'sql' | `_dbtide_${string}`) => this.dialect.compiler.quote(name);

  /** The ledger's tables this schema lacks: creating them takes CREATE, using them does not. */
  async missingTables(): Promise<string[]> {
    const missing: string[] = [];
    for (const table of ledgerTables(this.dialect)) if (!(await this.dialect.runtime.tableExists(this.conn, table.name))) missing.push(table.name);
    return missing;
  }

  /** Creates the missing tables (`missing`, when the caller read them already); under the run lock, so no other run creates them meanwhile. */
  async ensure(missing?: string[]): Promise<void> {
    const absent = missing ?? (await this.missingTables());
    for (const table of ledgerTables(this.dialect).filter((t) => absent.includes(t.name))) await this.conn.query(this.dialect.compiler.createTable(table).sql);
  }


  /** Whether a run ever recorded anything here; a failing query is an error, not "no ledger". */
  exists(): Promise<boolean> {
    return this.has('_dbtide_runs');
  }

  /**
   * Whether the table is there: a first run stopped while it made the ledger leaves some of its
   * tables, and planning reads them before the next run makes the rest.
   */
  private has(table: `_dbtide_${string}`): Promise<boolean> {
    return this.dialect.runtime.tableExists(this.conn, table);
  }

  async startRun(phase: RunKind, release: string, schemaHash: string): Promise<string> {
    const id = randomUUID();
    await this.conn.query(
      `INSERT INTO ${this.q('_dbtide_runs')} (id, phase, ${this.q('release')}, schema_hash, status, started_at) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}, ${this.p(4)}, 'running', ${this.p(5)})`,
      [id, phase, release, schemaHash, new Date()],
    );
    return id;
  }

  async finishRun(id: string, status: Exclude<RunStatus, 'running'>, message: string | null): Promise<void> {
    await this.conn.query(
      `UPDATE ${this.q('_dbtide_runs')} SET status = ${this.p(1)}, finished_at = ${this.p(2)}, message = ${this.p(3)} WHERE id = ${this.p(4)}`,
      [status, new Date(), message, id],
    );
  }

  /** Records a statement that committed; inside the step's transaction when it has one. */
  async statementDone(runId: string, s: StatementRecord): Promise<void> {
    await this.insertStatement(runId, s, 'done', null);
  }

  async statementFailed(runId: string, s: StatementRecord, error: string): Promise<void> {
    await this.insertStatement(runId, s, 'failed', error);
  }

  private async insertStatement(runId: string, s: StatementRecord, status: string, error: string | null) {
    const values = [runId, s.stepId, s.index, s.sql, status, s.attempts, error, s.startedAt, new Date()];
    await this.conn.query(
      `INSERT INTO ${this.q('_dbtide_journal')} (run_id, step_id, statement_index, ${this.q('sql')}, status, attempts, error, started_at, finished_at) VALUES (${values.map((_, i) => this.p(i + 1)).join(', ')})`,
      values,
    );
  }

  async jobCheckpoint(jobId: string): Promise<JobCheckpoint | undefined> {
    const [row] = await this.conn.query<JobCheckpoint>(
      `SELECT upper_key, last_key, rows_done, status FROM ${this.q('_dbtide_backfills')} WHERE job_id = ${this.p(1)}`,
      [jobId],
    );
    return row;
  }

  /**
   * Records a job's start; a backfill fixes its upper key here, and a job with nothing to do starts
   * done. A lane of a job starts after its first key (`lastKey`).
   */
  async startJob(jobId: string, upperKey: string | null, done: boolean, lastKey: string | null = null): Promise<JobCheckpoint> {
    const status = done ? 'done' : 'running';
    await this.conn.query(
      `INSERT INTO ${this.q('_dbtide_backfills')} (job_id, upper_key, last_key, rows_done, status, updated_at) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}, 0, ${this.p(4)}, ${this.p(5)})`,
      [jobId, upperKey, lastKey, status, new Date()],
    );
    return { upper_key: upperKey, last_key: lastKey, rows_done: 0, status };
  }

  /** The checkpoints of a job's lanes (src/migrate/backfill-lanes.ts), by lane id; none for a job walked whole. */
  async laneCheckpoints(jobId: string): Promise<Map<string, JobCheckpoint>> {
    const ids = laneIds(jobId);
    const rows = await this.conn.query<JobCheckpoint & { job_id: string }>(
      `SELECT job_id, upper_key, last_key, rows_done, status FROM ${this.q('_dbtide_backfills')} WHERE job_id IN (${ids.map((_, i) => this.p(i + 1)).join(', ')})`,
      ids,
    );
    return new Map(rows.map(({ job_id, ...checkpoint }) => [job_id, checkpoint]));
  }

  /** The finished lanes' rows go to the job, which is done; call it in one transaction with nothing else. */
  async finishLanes(jobId: string, rows: number): Promise<void> {
    await this.advanceJob(jobId, { rows, lastKey: null, done: true });
    await this.forgetLanes(jobId);
  }

  /** Adds a batch to the job; call it in the batch's transaction so the two commit together. */
  async advanceJob(jobId: string, batch: { rows: number; lastKey: string | null; done: boolean }): Promise<void> {
    await this.conn.query(
      `UPDATE ${this.q('_dbtide_backfills')} SET last_key = ${this.p(1)}, rows_done = rows_done + ${this.p(2)}, status = ${this.p(3)}, updated_at = ${this.p(4)} WHERE job_id = ${this.p(5)}`,
      [batch.lastKey, batch.rows, batch.done ? 'done' : 'running', new Date(), jobId],
    );
  }

  /** Records the job done, whatever its checkpoint said: work that ran otherwise did its rows. */
  async finishJob(jobId: string): Promise<void> {
    await this.conn.transaction(async () => {
      await this.forgetJob(jobId);
      await this.startJob(jobId, null, true);
    });
  }

  /** Forgets the job's checkpoint, its lanes' too: its next run starts from the first row. */
  async forgetJob(jobId: string): Promise<void> {
    await this.conn.query(`DELETE FROM ${this.q('_dbtide_backfills')} WHERE job_id = ${this.p(1)}`, [jobId]);
    await this.forgetLanes(jobId);
  }

  private async forgetLanes(jobId: string): Promise<void> {
    const ids = laneIds(jobId);
    await this.conn.query(`DELETE FROM ${this.q('_dbtide_backfills')} WHERE job_id IN (${ids.map((_, i) => this.p(i + 1)).join(', ')})`, ids);
  }

  /** Every job's id, lanes included; none before the ledger exists. */
  async jobIds(): Promise<string[]> {
    if (!(await this.has('_dbtide_backfills'))) return [];
    const rows = await this.conn.query<{ job_id: string }>(`SELECT job_id FROM ${this.q('_dbtide_backfills')} ORDER BY job_id`);
    return rows.map((r) => r.job_id);
  }

  /** Backfills and data moves that completed; none before the ledger exists. */
  async finishedJobs(): Promise<string[]> {
    if (!(await this.has('_dbtide_backfills'))) return [];
    const rows = await this.conn.query<{ job_id: string }>(`SELECT job_id FROM ${this.q('_dbtide_backfills')} WHERE status = 'done' ORDER BY job_id`);
    return rows.map((r) => r.job_id);
  }

  /** Records a raw SQL step whose statements all ran; inside the step's transaction when it has one. */
  async sqlStepDone(runId: string, release: string, stepId: string, hash: string): Promise<void> {
    await this.conn.query(
      `INSERT INTO ${this.q('_dbtide_sql_steps')} (${this.q('release')}, step_id, up_hash, run_id, finished_at) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}, ${this.p(4)}, ${this.p(5)})`,
      [release, stepId, hash, runId, new Date()],
    );
  }

  /** Raw SQL steps that ran, by release; none before a run created the table. */
  async ranSqlSteps(): Promise<RanSqlStep[]> {
    if (!(await this.has('_dbtide_sql_steps'))) return [];
    const rows = await this.conn.query<{ release: string; step_id: string; up_hash: string }>(
      `SELECT ${this.q('release')}, step_id, up_hash FROM ${this.q('_dbtide_sql_steps')} ORDER BY ${this.q('release')}, step_id`,
    );
    return rows.map((r) => ({ release: r.release, id: r.step_id, hash: r.up_hash }));
  }

  /** Records why a verification was overridden, in the journal of the run that did it. */
  async recordForce(runId: string, index: number, reason: string, what: string): Promise<void> {
    const sql = `-- forced past verification: ${what}; reason: ${reason}`;
    await this.insertStatement(runId, { stepId: 'force', index, sql, attempts: 0, startedAt: new Date() }, 'forced', reason);
  }

  /** Backfills and data moves with their progress, most recently active first. */
  async jobs(limit = 20): Promise<JobRecord[]> {
    if (!(await this.has('_dbtide_backfills'))) return [];
    const rows = await this.conn.query<JobRecord>(
      `SELECT job_id, rows_done, status, updated_at FROM ${this.q('_dbtide_backfills')} ORDER BY updated_at DESC ${this.dialect.runtime.limit(Math.max(1, Math.trunc(limit)))}`,
    );
    return rows.map((r) => ({ ...r, updated_at: isoTime(r.updated_at)! }));
  }

  async runs(limit = 20): Promise<RunRecord[]> {
    if (!(await this.exists())) return [];
    const rows = await this.conn.query<RunRecord>(`SELECT * FROM ${this.q('_dbtide_runs')} ORDER BY started_at DESC ${this.dialect.runtime.limit(Math.max(1, Math.trunc(limit)))}`);
    return rows.map((r) => ({ ...r, started_at: isoTime(r.started_at)!, finished_at: isoTime(r.finished_at) }));
  }

  /** The statements that ran for a release, by phase, in order: what verify-chain classifies. */
  async statementsOf(release: string): Promise<JournaledStatement[]> {
    if (!(await this.has('_dbtide_journal'))) return [];
    return this.conn.query<JournaledStatement>(
      `SELECT r.phase, j.step_id, j.${this.q('sql')} FROM ${this.q('_dbtide_journal')} j JOIN ${this.q('_dbtide_runs')} r ON r.id = j.run_id
        WHERE r.${this.q('release')} = ${this.p(1)} AND j.status = 'done' ORDER BY r.started_at, j.started_at, j.statement_index`,
      [release],
    );
  }

  /** The release of the latest expand run, whatever its outcome: what a rollback withdraws. */
  async lastExpanded(): Promise<string | null> {
    if (!(await this.exists())) return null;
    const [row] = await this.conn.query<{ release: string }>(
      `SELECT ${this.q('release')} FROM ${this.q('_dbtide_runs')} WHERE phase = 'expand' ORDER BY started_at DESC ${this.dialect.runtime.limit(1)}`,
    );
    return row?.release ?? null;
  }

  /** Runs left `running` by a process that died: reported so the operator knows a resume happened. */
  async interruptedRuns(): Promise<RunRecord[]> {
    if (!(await this.exists())) return [];
    return this.conn.query<RunRecord>(`SELECT * FROM ${this.q('_dbtide_runs')} WHERE status = 'running' ORDER BY started_at`);
  }

  async markInterrupted(ids: string[]): Promise<void> {
    for (const id of ids) await this.finishRun(id, 'failed', 'interrupted: the process stopped before the run finished');
  }
}

/**
 * Times as ISO 8601 in UTC, whichever driver read them: node-postgres returns a Date, mysql2 (with
 * `dateStrings`) the naive text of a DATETIME that dbtide wrote in UTC.
 */
export function isoTime(value: Date | string | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  const naive = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value);
  const time = new Date(naive ? `${value.replace(' ', 'T')}Z` : value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}
