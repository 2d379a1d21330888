import { randomBytes } from 'node:crypto';
import type { ScratchDatabase } from '../../src/dialect.js';
import { quote } from './compiler.js';
import { connectMysql } from './driver.js';

const MAX_NAME = 64;

/** A new empty database on the server `url` names, created and dropped through a session on it. */
export async function createScratchMysql(url: string, label: string): Promise<ScratchDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const safe = label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `dbtide_${safe}`.slice(0, MAX_NAME - suffix.length - 1) + `_${suffix}`;
  await onServer(url, `CREATE DATABASE ${quote(name)}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  let dropped = false;
  return {
    url: scratch.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(url, `DROP DATABASE IF EXISTS ${quote(name)}`);
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const conn = await connectMysql(url);
  try {
    await conn.query(sql);
  } finally {
    await conn.close();
  }
}
