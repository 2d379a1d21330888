/** MySQL's ENUM and SET member lists: read from the type, compared for metadata-only changes, prechecked when members go. */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { appendsMembers, membersKept, membersOf, storageBytes } from '../../dialects/mysql/enum-types.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import type { ColumnType } from '../../src/model/column-type.js';
import { plan } from '../../src/plan/planner.js';
import { column } from '../support/model-builders.js';

const native = (sql: string): ColumnType => ({ kind: 'native', sql });
const list = (kind: 'enum' | 'set', n: number) => native(`${kind}(${Array.from({ length: n }, (_, i) => `'m${i}'`).join(',')})`);
const caps = mysqlCapabilities('10.11.6-MariaDB');

describe('membersOf', () => {
  it('reads members as the server prints them and as a release may write them', () => {
    expect(membersOf(native("enum('a','b')"))).toEqual({ kind: 'enum', members: ['a', 'b'] });
    expect(membersOf(native("ENUM ( 'a' , 'b c' )"))).toEqual({ kind: 'enum', members: ['a', 'b c'] });
    expect(membersOf(native("set('it''s','back\\\\slash','x,y')"))).toEqual({ kind: 'set', members: ["it's", 'back\\slash', 'x,y'] });
  });

  it('is null for other types and for a list with more words after it', () => {
    expect(membersOf({ kind: 'varchar', length: 3 })).toBeNull();
    expect(membersOf(native('int unsigned'))).toBeNull();
    expect(membersOf(native("enum('a') CHARACTER SET latin1"))).toBeNull();
    expect(membersOf(native("enum('a'"))).toBeNull();
    expect(membersOf(native('enum(a)'))).toBeNull();
  });
});

describe('storage sizes', () => {
  it.each([
    ['enum', 1, 1], ['enum', 255, 1], ['enum', 256, 2],
    ['set', 1, 1], ['set', 8, 1], ['set', 9, 2], ['set', 16, 2], ['set', 17, 3], ['set', 24, 3], ['set', 25, 4], ['set', 32, 4], ['set', 33, 8], ['set', 64, 8],
  ] as const)('%s of %i members takes %i byte(s)', (kind, n, bytes) => {
    expect(storageBytes({ kind, members: Array.from({ length: n }, (_, i) => `m${i}`) })).toBe(bytes);
  });
});

describe('isMetadataOnlyTypeChange: ENUM and SET', () => {
  const metadataOnly = (from: ColumnType, to: ColumnType) => caps.isMetadataOnlyTypeChange(from, to);

  it('members appended at the end within the storage size: in place', () => {
    expect(appendsMembers(native("enum('a','b')"), native("enum('a','b','c')"))).toBe(true);
    expect(metadataOnly(native("enum('a','b')"), native("ENUM('a', 'b', 'c', 'd')"))).toBe(true);
    expect(metadataOnly(native("set('x','y')"), native("set('x','y','z')"))).toBe(true);
    expect(metadataOnly(list('set', 3), list('set', 8))).toBe(true);
    expect(metadataOnly(list('set', 9), list('set', 16))).toBe(true);
    expect(metadataOnly(list('set', 33), list('set', 64))).toBe(true);
    expect(metadataOnly(list('enum', 2), list('enum', 255))).toBe(true);
  });

  it('a new storage size, a removal, a reordering, an insertion or another kind: copied', () => {
    expect(metadataOnly(list('enum', 255), list('enum', 256))).toBe(false);
    expect(metadataOnly(list('set', 8), list('set', 9))).toBe(false);
    expect(metadataOnly(list('set', 32), list('set', 33))).toBe(false);
    expect(metadataOnly(native("enum('a','b')"), native("enum('a')"))).toBe(false);
    expect(metadataOnly(native("enum('a','b')"), native("enum('b','a')"))).toBe(false);
    expect(metadataOnly(native("enum('a','b')"), native("enum('a','c','b')"))).toBe(false);
    expect(metadataOnly(native("enum('a','b')"), native("set('a','b','c')"))).toBe(false);
    expect(metadataOnly(native("enum('a','b')"), native("enum('a','b')"))).toBe(false);
    // Members compare exactly: the server's collation may tell 'A' from 'a' apart or not.
    expect(metadataOnly(native("enum('a','b')"), native("enum('A','b','c')"))).toBe(false);
  });
});

describe('typeChangeKeeps: members removed', () => {
  it('an ENUM: the value is none of the removed members; a SET: holds none of them', () => {
    expect(membersKept('`s`', native("enum('a','b','it''s')"), native("enum('a')"))).toBe("`s` NOT IN ('b', 'it''s')");
    expect(membersKept('`t`', native("set('x','y','z')"), native("set('z','x')"))).toBe("FIND_IN_SET('y', `t`) = 0");
    expect(membersKept('`t`', native("set('x','y','z')"), native("set('x')"))).toBe("FIND_IN_SET('y', `t`) = 0 AND FIND_IN_SET('z', `t`) = 0");
  });

  it('nothing to check when no member goes, or for other types', () => {
    expect(membersKept('`s`', native("enum('a','b')"), native("enum('b','a')"))).toBeNull();
    expect(membersKept('`s`', { kind: 'varchar', length: 5 }, { kind: 'varchar', length: 3 })).toBeNull();
    expect(membersKept('`s`', native("enum('a','b')"), native("set('a')"))).toBeNull();
  });
});

describe('plan: an ENUM or SET change', () => {
  const run = (from: string, to: string) =>
    plan([{ kind: 'alter-column-type', table: 'orders', column: column('status', native(to)), from: column('status', native(from)) }], {
      caps, sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: postgresBackfill.batchLock, statements: mysqlStatements, tables: {},
    });

  it('appending runs in expand, in place, with no warning and no precheck', () => {
    const p = run("enum('a','b')", "enum('a','b','c')");
    expect(p.steps.map((s) => [s.phase, s.sql, s.lock.blocksWrites, s.prechecks])).toEqual([
      ['expand', ["ALTER TABLE `orders` MODIFY COLUMN `status` enum('a','b','c') NULL, ALGORITHM=INPLACE, LOCK=NONE"], false, []],
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('removing a member waits for contract behind a scan for rows holding it, and says why', () => {
    const p = run("enum('a','b')", "enum('a')");
    const [step] = p.steps;
    expect([step!.phase, step!.lock.blocksWrites, step!.description]).toEqual(['contract', true, "change orders.status native(enum('a','b')) -> native(enum('a')) (rewrites the table)"]);
    expect(step!.prechecks).toEqual([{
      kind: 'check',
      table: 'orders',
      columns: ['status'],
      description: "no row of orders holds a value of status that native(enum('a')) lacks",
      rule: { kind: 'check', check: { name: 'orders.status type', expression: "`status` NOT IN ('b')", validated: true } },
    }]);
    expect(p.warnings).toContain("orders.status: native(enum('a','b')) -> native(enum('a')) drops values old code may still write; contract first checks that no row holds one");
  });

  it('reordering waits for contract, without a scan: every value is kept', () => {
    const [step] = run("enum('a','b')", "enum('b','a')").steps;
    expect([step!.phase, step!.prechecks]).toEqual(['contract', []]);
  });
});
