import { describe, expect, it } from 'vitest';
import { db2Backfill as backfill } from '../../dialects/db2/backfill.js';
import { DB2_LOCK } from '../../dialects/db2/locks.js';
import type { BackfillJob } from '../../src/model/keyed-table.js';

const one: BackfillJob = { id: 'j', table: 'people', key: ['id'], set: { score_new: 'CAST(score AS BIGINT)' }, where: 'score_new IS NULL' };
const two: BackfillJob = { ...one, table: 'memberships', key: ['tenant_id', 'user_id'] };

const ENSURE_QUIET = `BEGIN
  IF NOT EXISTS (SELECT 1 FROM SYSCAT.VARIABLES WHERE VARSCHEMA = 'DBTIDE' AND VARNAME = 'QUIET') THEN
    EXECUTE IMMEDIATE 'CREATE VARIABLE "DBTIDE"."QUIET" SMALLINT DEFAULT 0';
  END IF;
END`;

describe('db2 backfill: keyset batches', () => {
  it('reads the last key with FETCH FIRST', () => {
    expect(backfill.lastKey(two)).toBe('SELECT "TENANT_ID", "USER_ID" FROM "MEMBERSHIPS" ORDER BY "TENANT_ID" DESC, "USER_ID" DESC FETCH FIRST 1 ROW ONLY');
  });

  it('takes the bounds once each, typed by the key columns, and finds the batch end with OFFSET and FETCH FIRST', () => {
    expect(backfill.batchEnd(one, false)).toBe(
      'WITH DBTIDE_K (DBTIDE_U1) AS (SELECT t."ID" FROM "PEOPLE" t WHERE 1 = 0 UNION ALL VALUES (?)) ' +
        'SELECT "ID" FROM "PEOPLE" WHERE "ID" <= (SELECT DBTIDE_U1 FROM DBTIDE_K) ORDER BY "ID" OFFSET ? ROWS FETCH FIRST 1 ROW ONLY',
    );
    expect(backfill.batchEnd(one, true)).toBe(
      'WITH DBTIDE_K (DBTIDE_A1, DBTIDE_U1) AS (SELECT t."ID", t."ID" FROM "PEOPLE" t WHERE 1 = 0 UNION ALL VALUES (?, ?)) ' +
        'SELECT "ID" FROM "PEOPLE" WHERE "ID" > (SELECT DBTIDE_A1 FROM DBTIDE_K) AND "ID" <= (SELECT DBTIDE_U1 FROM DBTIDE_K) ' +
        'ORDER BY "ID" OFFSET ? ROWS FETCH FIRST 1 ROW ONLY',
    );
  });

  it('spells a two-column range column by column, never as a row comparison', () => {
    const sql = backfill.batchEnd(two, true);
    const a = (i: number) => `(SELECT DBTIDE_A${i} FROM DBTIDE_K)`;
    const u = (i: number) => `(SELECT DBTIDE_U${i} FROM DBTIDE_K)`;
    expect(sql).toBe(
      'WITH DBTIDE_K (DBTIDE_A1, DBTIDE_A2, DBTIDE_U1, DBTIDE_U2) AS (SELECT t."TENANT_ID", t."USER_ID", t."TENANT_ID", t."USER_ID" FROM "MEMBERSHIPS" t WHERE 1 = 0 UNION ALL VALUES (?, ?, ?, ?)) ' +
        `SELECT "TENANT_ID", "USER_ID" FROM "MEMBERSHIPS" WHERE ("TENANT_ID" > ${a(1)} OR ("TENANT_ID" = ${a(1)} AND "USER_ID" > ${a(2)})) ` +
        `AND ("TENANT_ID" < ${u(1)} OR ("TENANT_ID" = ${u(1)} AND "USER_ID" <= ${u(2)})) ORDER BY "TENANT_ID", "USER_ID" OFFSET ? ROWS FETCH FIRST 1 ROW ONLY`,
    );
    expect(sql).not.toMatch(/\("TENANT_ID", "USER_ID"\) [<>]/);
    // after values, upTo values, then the offset: each once, in the order the core passes them
    expect(sql.match(/\?/g)).toHaveLength(5);
  });

  it('updates the range and counts the rows through OLD TABLE', () => {
    expect(backfill.update(two, false)).toBe(
      'WITH DBTIDE_K (DBTIDE_U1, DBTIDE_U2) AS (SELECT t."TENANT_ID", t."USER_ID" FROM "MEMBERSHIPS" t WHERE 1 = 0 UNION ALL VALUES (?, ?)) ' +
        'SELECT COUNT(*) AS "n" FROM OLD TABLE (UPDATE "MEMBERSHIPS" SET "SCORE_NEW" = CAST(score AS BIGINT) ' +
        'WHERE ("TENANT_ID" < (SELECT DBTIDE_U1 FROM DBTIDE_K) OR ("TENANT_ID" = (SELECT DBTIDE_U1 FROM DBTIDE_K) AND "USER_ID" <= (SELECT DBTIDE_U2 FROM DBTIDE_K))) ' +
        'AND (score_new IS NULL))',
    );
  });

  it('quiets the triggers through the session variable, made first if missing; a batch holds row locks', () => {
    expect(backfill.quietTriggers(true)).toEqual([ENSURE_QUIET, 'SET "DBTIDE"."QUIET" = 1']);
    expect(backfill.quietTriggers(false)).toEqual([ENSURE_QUIET, 'SET "DBTIDE"."QUIET" = 0']);
    expect(backfill.batchLock).toBe(DB2_LOCK.batch);
    expect(backfill.batchLock.blocksWrites).toBe(false);
  });
});
