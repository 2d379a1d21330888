import { describe, expect, it } from 'vitest';
import { sameColumnType, type ColumnType } from '../../src/model/column-type.js';

const native = (sql: string): ColumnType => ({ kind: 'native', sql });

describe('sameColumnType on native types', () => {
  it.each([
    ["enum('a','b')", "ENUM ( 'a' , 'b' )"],
    ['character varying(10)[]', 'CHARACTER VARYING (10)[]'],
    ["set('x','it''s')", "SET('x', 'it''s')"],
  ])('%j is %j', (a, b) => {
    expect(sameColumnType(native(a), native(b))).toBe(true);
  });

  // Members and quoted names are data, not words of the type: their case and spaces are meaning.
  it.each([
    ["enum('a','b')", "enum('A','b')"],
    ["enum('a b')", "enum('a  b')"],
    ["set('x','y')", "set('x','Y')"],
    ['"Mood"', '"mood"'],
  ])('%j is not %j', (a, b) => {
    expect(sameColumnType(native(a), native(b))).toBe(false);
  });
});
