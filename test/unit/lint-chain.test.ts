/** `dbtide lint`: a release chain checked against each dialect's rules, without a server. */
import { afterAll, describe, expect, it } from 'vitest';
import { offlineTarget, offlineTargets } from '../../src/offline/dialect-spec.js';
import { loadChain } from '../../src/declaration/load-schema.js';
import { lintChain } from '../../src/offline/lint-chain.js';
import { planOffline } from '../../src/offline/plan-offline.js';
import { releaseDir } from '../support/release-files.js';

const files = releaseDir();
afterAll(() => files.remove());

/** A chain whose first release is fine everywhere and whose second breaks Db2's rules only. */
const broken = () => {
  const dir = `${files.dir}/broken`;
  files.write('broken/001-base.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: '001-base',
  tables: {
    instances: { columns: { id: { type: 'int', identity: true }, uuid: 'varchar(36)' }, primaryKey: ['id'], indexes: [{ columns: ['uuid'], unique: true }] },
  },
});
`);
  files.write('broken/002-children.ts', `import { defineSchema } from 'dbtide';
import previous from './001-base.js';
export default defineSchema({
  release: '002-children',
  extends: previous,
  tables: {
    consoles: {
      columns: { id: { type: 'int', identity: true }, instance_uuid: 'varchar(36)', payload: 'json' },
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['instance_uuid'], references: { table: 'instances', columns: ['uuid'] }, onUpdate: 'cascade' }],
    },
  },
});
`);
  // Adds nothing: what it inherits is reported once, at the release that brought it.
  files.write('broken/003-later.ts', `import { defineSchema } from 'dbtide';
import previous from './002-children.js';
export default defineSchema({ release: '003-later', extends: previous, tables: { notes: { columns: { id: 'int' } } } });
`);
  return dir;
};

describe('lint', () => {
  it('finds nothing in the example chain, on every dialect at its latest version and on Db2 11.1', async () => {
    const report = await lintChain('migrations', [...(await offlineTargets('all')), await offlineTarget('db2@11.1.1.1')]);
    expect(report.findings).toEqual([]);
    expect(report.releases).toEqual(['001-icehouse', '002-juno', '003-kilo', '004-liberty']);
    expect(report.servers).toEqual(['PostgreSQL 17', 'MySQL 8.4.0', 'Db2 11.5', 'Db2 11.1.1.1']);
  });

  it("reports each of Db2's refusals in a broken release, one line each with the file and the path, once, and nothing for the others", async () => {
    const dir = broken();
    const report = await lintChain(dir, await offlineTargets('all'));
    const file = expect.stringMatching(/broken\/002-children\.ts$/);
    expect(report.findings).toEqual([
      { file, server: 'Db2 11.5', problem: expect.stringMatching(/^tables\.consoles\.foreignKeys\.consoles_instance_uuid_fkey: references instances\(uuid\), which is neither the primary key nor a unique constraint of that table; Db2 11\.5 refuses/) },
      { file, server: 'Db2 11.5', problem: expect.stringMatching(/^tables\.consoles\.columns\.payload: Db2 has no JSON column type/) },
      { file, server: 'Db2 11.5', problem: expect.stringMatching(/^tables\.consoles\.foreignKeys\.consoles_instance_uuid_fkey: references instances\.uuid, which may be NULL/) },
      { file, server: 'Db2 11.5', problem: expect.stringMatching(/^tables\.consoles\.foreignKeys\.consoles_instance_uuid_fkey: ON UPDATE CASCADE is not accepted by Db2 11\.5/) },
    ]);
  });

  it('checks only the dialects asked for', async () => {
    const report = await lintChain(broken(), await offlineTargets('postgres,mysql@10.11'));
    expect(report.servers).toEqual(['PostgreSQL 17', 'MariaDB 10.11.0']);
    expect(report.findings).toEqual([]);
  });

  it('refuses an unknown dialect or a version dbtide does not plan for, saying what it takes', async () => {
    await expect(offlineTarget('oracle')).rejects.toThrow(/no dialect is named "oracle"/);
    await expect(offlineTarget('db2@10.5')).rejects.toThrow(/--dialect db2@10\.5: Db2 10\.5 is not supported: dbtide needs Db2 LUW 11\.1 or later/);
  });
});

describe('planning without a server', () => {
  it('finds nothing to do for a release planned from itself, on every dialect: the database it leaves is what it declares', async () => {
    const chain = await loadChain('migrations');
    for (const target of await offlineTargets('all,mysql@10.11,db2@11.1.1.1')) {
      for (const { declared } of chain) {
        expect(planOffline(target, declared, declared).steps.map((s) => s.id), `${declared.release} on ${target.caps.server}`).toEqual([]);
      }
    }
  });
});
