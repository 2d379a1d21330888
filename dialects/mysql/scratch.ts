import type { ScratchDatabase } from '../../src/dialect.js';
import { scratchOnServer } from '../../src/verify/server-scratch.js';
import { quote } from './compiler.js';
import { connectMysql } from './driver.js';
import { databasesNamedAfter } from './version-schemas.js';

/** A new empty database on the server `url` names. */
export const createScratchMysql = (url: string, label: string): Promise<ScratchDatabase> =>
  scratchOnServer(url, label, {
    maxName: 64,
    connect: connectMysql,
    createSql: (name) => `CREATE DATABASE ${quote(name)}`,
    dropSql: (name) => `DROP DATABASE IF EXISTS ${quote(name)}`,
    alongside: databasesNamedAfter,
  });
