import type { ScratchDatabase } from '../../src/dialect.js';
import { scratchOnServer } from '../../src/verify/server-scratch.js';
import { quote } from './compiler.js';
import { connectMysql } from './driver.js';

/** A new empty database on the server `url` names, created and dropped through a session on it. */
export const createScratchMysql = (url: string, label: string): Promise<ScratchDatabase> =>
  scratchOnServer(url, label, {
    maxName: 64,
    create: (name) => onServer(url, `CREATE DATABASE ${quote(name)}`),
    drop: (name) => onServer(url, `DROP DATABASE IF EXISTS ${quote(name)}`),
  });

async function onServer(url: string, sql: string): Promise<void> {
  const conn = await connectMysql(url);
  try {
    await conn.query(sql);
  } finally {
    await conn.close();
  }
}
