import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { introspectMysql } from '../../dialects/mysql/introspector.js';
import type { Connection } from '../../src/dialect.js';
import { stepsOf } from '../../src/plan/step.js';
import { mysqlTargets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    docs: { columns: { id: 'int', owner_id: 'int', title: 'varchar(100)', words: 'int' }, primaryKey: ['id'] },
    notes: {
      columns: { id: 'int', body: 'text' },
      primaryKey: ['id'],
      indexes: [{ name: 'notes_body_ft', columns: ['body'], using: 'fulltext' }],
    },
    owners: { columns: { id: 'int', name: 'varchar(50)' }, primaryKey: ['id'] },
  },
});

const v1b = defineSchema({ release: 'v1b', extends: v1, tables: { notes: { columns: { summary: 'text' } } } });

/** Every kind of change the capability table sorts: instant, in place, copying. */
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    owners: { columns: { email: 'varchar(200)' } },
    docs: {
      columns: { title: { type: 'varchar(100)', nullable: false }, words: 'bigint' },
      foreignKeys: [{ columns: ['owner_id'], references: { table: 'owners', columns: ['id'] } }],
      checks: [{ name: 'docs_words_check', expression: 'words >= 0' }],
    },
  },
});

const withConn = <T>(url: string, work: (conn: Connection) => Promise<T>) => withConnection(connectMysql(url), work);

describe.each(mysqlTargets)('online DDL on $name', (target) => {
  let scratch: ScratchDatabase;
  let t: Target;
  beforeAll(async () => {
    scratch = await target.create('online_ddl');
    t = { url: scratch.url };
    for (const phase of [expand, migrate, contract]) await phase(t, v1);
    await withConn(t.url, async (c) => {
      await c.query('INSERT INTO owners (id, name) VALUES (1, ?), (2, ?)', ['ann', 'bob']);
      await c.query("INSERT INTO docs (id, owner_id, title, words) VALUES (1, 1, 'a', 2), (2, 2, 'b', 1), (3, 9, NULL, 1)");
      await c.query("INSERT INTO notes (id, body) VALUES (1, 'alpha beta')");
    });
  });
  afterAll(async () => scratch?.drop());

  it('plans each change by what the server can do online, and flags what blocks writes', async () => {
    const { plan } = await planChanges(t, v2);
    const brief = plan.steps.map((s) => [s.phase, s.id, s.lock.blocksWrites, s.sql.at(-1)!.replace(/^.*, (ALGORITHM=\w+, LOCK=\w+)$/, '$1')]);
    expect(brief).toEqual([
      ['expand', 'add-column:owners.email', false, 'ALGORITHM=INSTANT, LOCK=DEFAULT'],
      ['contract', 'alter-column-type:docs.words', true, 'ALGORITHM=COPY, LOCK=SHARED'],
      ['contract', 'set-not-null:docs.title', false, 'ALGORITHM=INPLACE, LOCK=NONE'],
      ['contract', 'add-check:docs.docs_words_check', true, 'ALGORITHM=COPY, LOCK=SHARED'],
      ['contract', 'add-foreign-key:docs.docs_owner_id_fkey', false, 'SET foreign_key_checks = 1'],
    ]);
    expect(stepsOf(plan, 'contract').find((s) => s.operation === 'add-check')!.lock.level).toBe('ALGORITHM=COPY, LOCK=SHARED (the table is copied; writes wait)');
    expect(plan.warnings.join('\n')).toContain('checks every row of docs while writes wait');
  });

  it('tries a refused INSTANT column add again in place, and stops rather than block writes when that is refused too', async () => {
    // MariaDB adds a column to a table with a FULLTEXT index only while writes wait (LOCK=SHARED).
    const statements: string[] = [];
    const error = await expand(t, v1b, { onEvent: (e) => e.type === 'statement' && statements.push(e.sql) }).then(
      () => null,
      (e: Error) => e,
    );
    expect(statements).toEqual([
      'ALTER TABLE `notes` ADD COLUMN `summary` text NULL, ALGORITHM=INSTANT, LOCK=DEFAULT',
      'ALTER TABLE `notes` ADD COLUMN `summary` text NULL, ALGORITHM=INPLACE, LOCK=NONE',
    ]);
    expect(error?.message).toMatch(/ALGORITHM=INSTANT is not supported[\s\S]*and online in place:[\s\S]*Fulltext index creation requires a lock/);
    const live = await withConn(t.url, (c) => introspectMysql(c));
    expect(live.tables.notes!.columns.map((c) => c.name)).toEqual(['id', 'body']);
  });

  it('runs the online steps of expand', async () => {
    expect((await expand(t, v2)).steps.map((s) => s.id)).toEqual(['add-column:owners.email']);
  });

  it('refuses the contract on NULLs and orphans before changing anything, then tightens once they are repaired', async () => {
    const refused = await contract(t, v2).then(
      () => null,
      (e: Error) => e,
    );
    expect(refused?.message).toMatch(/prechecks failed; nothing was changed/);
    expect(refused?.message).toContain('1 row(s) break "docs.title has no NULL", e.g. id=3');
    expect(refused?.message).toContain('1 row(s) break "every docs (owner_id) has its row in owners", e.g. id=3');
    const before = await withConn(t.url, (c) => introspectMysql(c));
    expect(before.tables.docs!.foreignKeys).toEqual([]);

    await withConn(t.url, (c) => c.query("UPDATE docs SET title = 'c', owner_id = 2 WHERE id = 3"));
    await contract(t, v2);
    const after = await withConn(t.url, (c) => introspectMysql(c));
    expect(after.tables.docs!.foreignKeys.map((f) => f.name)).toEqual(['docs_owner_id_fkey']);
    expect(after.tables.docs!.columns.find((c) => c.name === 'title')!.nullable).toBe(false);
    expect(after.tables.docs!.columns.find((c) => c.name === 'words')!.type).toEqual({ kind: 'bigint' });
    expect((await planChanges(t, v2)).plan.steps).toEqual([]);
  });
});
