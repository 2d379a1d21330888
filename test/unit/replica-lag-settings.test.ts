import { describe, expect, it } from 'vitest';
import { dialectNamed } from '../../dialects/registry.js';
import type { Database } from '../../src/engine.js';
import { refuseReplicaLag } from '../../src/migrate/replica-lag.js';

/** What refuseReplicaLag reads of a database: its dialect, server and URL; it connects nowhere. */
async function database(dialect: string, url: string, server: string): Promise<Database> {
  return { dialect: await dialectNamed(dialect), url, name: 'db', caps: { server } } as unknown as Database;
}

describe('replica lag settings refused before anything connects', () => {
  it('Db2: dbtide reads no replica lag there', async () => {
    const db = await database('db2', 'db2://u:pw@127.0.0.1:50000/DB', 'db2 11.5');
    await expect(refuseReplicaLag(db, { maxLagMs: 500 })).rejects.toThrow(/a replica lag limit is not supported on db2 11\.5/);
  });

  it('PGlite: no replicas', async () => {
    const db = await database('postgres', 'pglite:memory', 'postgres 17');
    await expect(refuseReplicaLag(db, { maxLagMs: 500 })).rejects.toThrow(/PGlite is an embedded database/);
  });

  it('MySQL and MariaDB: each replica must be named', async () => {
    const db = await database('mysql', 'mysql://root@127.0.0.1:3306/app', 'mariadb 10.11');
    await expect(refuseReplicaLag(db, { maxLagMs: 500 })).rejects.toThrow(/needs each replica named/);
    await expect(refuseReplicaLag(db, { maxLagMs: 500, replicas: ['mysql://root@127.0.0.1:3307/app'] })).resolves.toBeDefined();
  });

  it('a replica URL of another kind or an embedded one, and limits that are no whole positive number', async () => {
    const db = await database('postgres', 'postgres://app@127.0.0.1:5432/app', 'postgres 15');
    await expect(refuseReplicaLag(db, { maxLagMs: 500, replicas: ['mysql://root:pw@127.0.0.1/app'] })).rejects.toThrow(/replica mysql:\/\/root:\*\*\*@127\.0\.0\.1\/app is a mysql URL/);
    await expect(refuseReplicaLag(db, { maxLagMs: 500, replicas: ['pglite:memory'] })).rejects.toThrow(/cannot be watched: PGlite/);
    for (const maxLagMs of [0, -5, 1.5, Number.NaN]) await expect(refuseReplicaLag(db, { maxLagMs })).rejects.toThrow(/whole number of ms/);
    await expect(refuseReplicaLag(db, { maxLagMs: 1 })).resolves.toBeDefined();
  });
});
