/**
 * The change the replica-lag tests and bench throttle: `accounts.balance` from int to bigint, a
 * backfill of every row in migrate (the bench's `changetype` change).
 */
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType } from '../../src/declaration/transitions.js';
import { dialectFor } from '../../dialects/registry.js';
import { expand } from '../../src/api.js';
import type { Connection } from '../../src/dialect.js';
import { series } from './series.js';

export const accountsV1 = defineSchema({
  release: 'v1',
  tables: { accounts: { columns: { id: 'bigint', balance: 'int' }, primaryKey: ['id'] } },
});

export const accountsV2 = defineSchema({
  release: 'v2',
  extends: accountsV1,
  tables: { accounts: { columns: { balance: 'bigint' } } },
  transitions: [changeType('accounts', 'balance')],
});

/** `accounts` as v1 declares it, with `rows` rows, each balance equal to its id: what a correct backfill keeps. */
export async function seedAccounts(url: string, rows: number): Promise<void> {
  await expand({ url }, accountsV1);
  const dialect = await dialectFor(url);
  const conn = await dialect.connect(url);
  try {
    await conn.query(`INSERT INTO accounts (id, balance) SELECT g, g FROM ${series(dialect, rows)}`);
  } finally {
    await conn.close();
  }
}

/** Rows whose balance is not their id: none after a correct change. */
export async function wrongBalances(conn: Connection): Promise<number> {
  const [row] = await conn.query<{ n: unknown }>('SELECT count(*) AS n FROM accounts WHERE balance IS NULL OR balance <> id');
  return Number(row!.n);
}
