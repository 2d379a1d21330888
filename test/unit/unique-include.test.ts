/** Covering columns on unique constraints: normalized, compared, compiled, rendered, refused where the server lacks them. */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import { sameKey } from '../../src/diff/same-object.js';
import { unbuildableIndexOptions } from '../../src/plan/index-options.js';
import { table } from '../support/model-builders.js';

const declare = (include?: string[]) =>
  normalizeSchema(defineSchema({ release: 'r', tables: { t: { columns: { id: 'int', a: 'int', b: 'int' }, uniques: [{ columns: ['a'], ...(include ? { include } : {}) }] } } }));

describe('unique constraints with covering columns', () => {
  it('keeps include when declared, and leaves it absent otherwise', () => {
    expect(declare(['b']).model.tables.t!.uniques).toEqual([{ name: 't_a_key', columns: ['a'], include: ['b'] }]);
    expect(declare().model.tables.t!.uniques[0]).not.toHaveProperty('include');
    expect(declare([]).model.tables.t!.uniques[0]).not.toHaveProperty('include');
  });

  it('refuses an unknown include column and one that is a key column already', () => {
    expect(() => declare(['zz'])).toThrow(/tables\.t\.uniques\.t_a_key: unknown include column "zz"/);
    expect(() => declare(['a'])).toThrow(/tables\.t\.uniques\.t_a_key: include column "a" is already a key column of the index/);
  });

  it('another include, or its order, is another key', () => {
    const key = { name: 'k', columns: ['a'], include: ['b', 'c'] };
    expect(sameKey(key, { ...key })).toBe(true);
    expect(sameKey(key, { name: 'k', columns: ['a'] })).toBe(false);
    expect(sameKey(key, { ...key, include: ['c', 'b'] })).toBe(false);
    expect(sameKey({ name: 'k', columns: ['a'], include: [] }, { name: 'k', columns: ['a'] })).toBe(true);
  });

  it('compiles INCLUDE after the key, in CREATE TABLE and ADD CONSTRAINT', () => {
    const key = { name: 'k', columns: ['a'], include: ['b', 'Odd"Name'], nullsNotDistinct: true };
    expect(postgresCompiler.addUnique('t', key, { usingIndex: null }).sql).toBe('ALTER TABLE "t" ADD CONSTRAINT "k" UNIQUE NULLS NOT DISTINCT ("a") INCLUDE ("b", "Odd""Name")');
    expect(postgresCompiler.createTable(table('t', { uniques: [key] })).sql).toContain('CONSTRAINT "k" UNIQUE NULLS NOT DISTINCT ("a") INCLUDE ("b", "Odd""Name")');
  });

  it('pull writes it', () => {
    const source = renderDeclaration({ tables: { t: table('t', { uniques: [{ name: 't_a_key', columns: ['a'], include: ['b'] }] }) } }, { release: 'r' });
    expect(source).toContain("uniques: [{ columns: ['a'], include: ['b'] }],");
  });

  it('a server without covering columns refuses it; PostgreSQL builds it', () => {
    const declared = declare(['b']);
    expect(unbuildableIndexOptions(declared, mysqlCapabilities('8.0.36'))).toEqual([
      'tables.t.uniques.t_a_key: include (b) needs covering columns, which MySQL 8.0.36 does not have',
    ]);
    expect(unbuildableIndexOptions(declared, postgresCapabilities('15.4'))).toEqual([]);
  });
});
