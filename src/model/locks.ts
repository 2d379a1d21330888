/** How a statement or a step locks the table: what an operator needs to judge it. */
export interface LockInfo {
  /** The strongest lock taken, in the dialect's words. */
  level: string;
  /** True when concurrent writes wait for longer than an instant. */
  blocksWrites: boolean;
  /** True when the whole table is rewritten or scanned under that lock. */
  rewritesTable: boolean;
  /**
   * The statement reads every row of its table without rewriting it (an index build): it lasts
   * as long as the table is large, which is what it costs where DDL stops a cluster's commits.
   */
  scansTable?: true;
  /** Orders a dialect's locks that neither block writes nor rewrite (PostgreSQL's lock modes, MySQL's algorithms). */
  rank: number;
}

/**
 * One statement as the dialect compiled it, with the lock it takes: the plan states the locks of
 * what runs, so a label cannot disagree with its SQL.
 */
export interface Statement {
  sql: string;
  lock: LockInfo;
  /**
   * The server counts the statement toward its table's reorganization (Db2's REORG-recommended
   * ALTERs): the planner keeps it in contract and reorganizes the table after it.
   */
  reorg?: true;
}

/** A session of someone else's that holds a lock on a table, as an operator needs to find it. */
export interface LockHolder {
  /** How the server names the session: PostgreSQL's pid, MySQL's connection id. */
  session: string;
  /** What it is doing (`idle in transaction`, `Sleep`), in the server's words. */
  state: string;
  /** How long its transaction has been open, in seconds, where the server says. */
  seconds: number | null;
  /** The first words of its current or last statement. */
  query: string;
  /** The server cannot tell whether this session holds a lock on the table: it has a transaction open in the database. */
  maybe?: true;
  /** Its transaction is open and waits for its client (`idle in transaction`, `Sleep`): it will not end on its own. */
  idle?: true;
}

/** One line per holder: `pid 4242 (idle in transaction, 12 s): SELECT ...`. */
export const describeHolder = (h: LockHolder) =>
  `${h.session} (${h.state || 'state unknown'}${h.seconds === null ? '' : `, ${Math.round(h.seconds)} s`})${h.query ? `: ${h.query}` : ''}`;

/** A table created by the same plan: nobody reads or writes it yet, whatever its statements take. */
export const NEW_TABLE_LOCK: LockInfo = { level: 'none (new table)', blocksWrites: false, rewritesTable: false, rank: 0 };

/** A data move runs the release author's statements: their locks are theirs. */
export const DATA_MOVE_LOCK: LockInfo = { level: "as the move's own statements take", blocksWrites: false, rewritesTable: false, rank: 0 };

/**
 * A raw SQL step's statements are the release author's, which dbtide does not read for locks: taken
 * at their worst, so the plan flags the step for the operator to judge.
 */
export const RAW_SQL_LOCK: LockInfo = { level: 'unknown (raw SQL: dbtide cannot tell what it locks)', blocksWrites: true, rewritesTable: true, rank: 0 };

/** Writes waiting outweigh a rewrite, which outweighs the stronger mode of two that do neither. */
const weight = (l: LockInfo) => [l.blocksWrites ? 1 : 0, l.rewritesTable ? 1 : 0, l.rank];

/** The strongest lock of a step's statements; the first of equals. */
export function strongest(locks: LockInfo[]): LockInfo {
  return locks.reduce((best, l) => {
    const [a, b] = [weight(l), weight(best)];
    const i = a.findIndex((x, k) => x !== b[k]);
    return i !== -1 && a[i]! > b[i]! ? l : best;
  });
}

/** Statements that all take the same lock. */
export const withLock = (lock: LockInfo, ...sql: string[]): Statement[] => sql.map((s) => ({ sql: s, lock }));
