/**
 * What every dialect owes the core, per server version it accepts: every part of the interface,
 * the compiler methods its strategies need, and the parts of its SQL the core reads without
 * asking (locks, ledger types). Its live behaviour is test/integration/dialect-conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { db2Dialect } from '../../dialects/db2/index.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import type { Capabilities, Dialect } from '../../src/dialect.js';

const SERVERS: { dialect: Dialect; versions: string[] }[] = [
  { dialect: postgresDialect, versions: ['12', '15.4', '18.6'] },
  { dialect: mysqlDialect, versions: ['8.0.36', '10.11.19-MariaDB', '11.4.2-MariaDB'] },
  { dialect: db2Dialect, versions: ['DB2 v11.1.4.7', 'DB2 v11.5.9.0', 'DB2 v12.1.0.0', 'SQL11059'] },
];

/** The optional compiler methods each strategy calls. */
function methodsNeeded(caps: Capabilities): string[] {
  const adds = [caps.constraintAdd.foreignKey, caps.constraintAdd.check];
  return [
    ...(adds.includes('not-valid-then-validate') || caps.notNull === 'check-then-set' ? ['validateConstraint'] : []),
    ...(caps.invalidIndex === 'rebuild-online' ? ['rebuildIndex'] : []),
    ...(caps.exclusionConstraints ? ['addExclusion'] : []),
    ...(caps.deferrableConstraints ? ['setDeferrable'] : []),
    ...(caps.reorgBudget !== null ? ['reorgTable'] : []),
  ];
}

/**
 * What a dialect provides, all of it in dialects/<name>/ (docs/dialects.md says how). The type
 * makes the list complete: a member added to `Dialect` fails to compile here until it is listed.
 */
const PROVIDES: Record<keyof Dialect, 'function' | 'object' | 'string' | 'where the capabilities need it' | 'optional'> = {
  name: 'string',
  connect: 'function',
  concurrentSessions: 'function',
  serverVersion: 'function',
  capabilities: 'function',
  cluster: 'optional',
  privileges: 'function',
  introspect: 'function',
  estimateRows: 'function',
  averageRowBytes: 'optional',
  reorgState: 'where the capabilities need it',
  serverNotes: 'optional',
  offline: 'object',
  compiler: 'object',
  runtime: 'object',
  backfill: 'object',
  transitions: 'object',
  scan: 'object',
  probe: 'object',
  statements: 'object',
  createScratch: 'function',
};

const cases = SERVERS.flatMap(({ dialect, versions }) => versions.map((version) => ({ name: `${dialect.name} ${version}`, dialect, version })));

describe.each(cases)('$name', ({ dialect, version }) => {
  const caps = dialect.capabilities(version);

  it('provides every part of the interface', () => {
    for (const [member, kind] of Object.entries(PROVIDES)) {
      if (kind === 'function' || kind === 'object' || kind === 'string') expect(typeof dialect[member as keyof Dialect], member).toBe(kind);
    }
  });

  it('reads the reorganization state of tables exactly where its capabilities count REORG-recommended ALTERs', () => {
    expect(typeof dialect.reorgState).toBe(caps.reorgBudget === null ? 'undefined' : 'function');
  });

  it('plans offline for its latest version, and for a version as an operator writes it', () => {
    expect(dialect.capabilities(dialect.offline.spell(dialect.offline.latest)).server).not.toBe('');
  });

  it('its compiler has the SQL of the schema objects it declares, and only then', () => {
    const declares = Object.values(caps.schemaObjects).some(Boolean);
    expect(typeof dialect.compiler.schemaObjects).toBe(declares ? 'object' : 'undefined');
  });

  it('its compiler has every method its strategies call', () => {
    const compiler = dialect.compiler as unknown as Record<string, unknown>;
    for (const method of methodsNeeded(caps)) expect(typeof compiler[method], method).toBe('function');
  });

  it('a key added index-first has an online index build to start from', () => {
    expect(caps.uniqueKey !== 'index-then-adopt' || caps.onlineIndexBuild).toBe(true);
  });

  it('states the locks of the work it runs itself and the types of the ledger', () => {
    expect(dialect.backfill.batchLock).toMatchObject({ blocksWrites: false, rewritesTable: false });
    expect(dialect.backfill.batchLock.level).not.toBe('');
    expect(dialect.runtime.ledgerTypes.timestamp.kind === 'timestamp' || dialect.runtime.ledgerTypes.timestamp.kind === 'native').toBe(true);
    expect(dialect.runtime.limit(5)).toMatch(/\b5\b/);
  });
});

it("PostgreSQL's strategies call every optional method, MySQL's none", () => {
  const pg = postgresDialect.capabilities('15.4');
  expect(methodsNeeded(pg)).toEqual(['validateConstraint', 'rebuildIndex', 'addExclusion', 'setDeferrable']);
  expect(methodsNeeded(mysqlDialect.capabilities('8.0.36'))).toEqual([]);
});
