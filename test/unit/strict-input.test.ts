import { describe, expect, it } from 'vitest';
import { integerFlag, numberFlag } from '../../src/cli/resolve.js';
import { isoTime } from '../../src/execute/ledger.js';
import { array, boolean, integer, object, oneOf, record, string, type Report } from '../../src/validate/shape.js';
import { editDistance, suggestion } from '../../src/validate/suggest.js';

describe('suggestion', () => {
  it.each([
    ['nullabel', ['type', 'nullable', 'default', 'identity'], 'nullable'],
    ['foreignKey', ['columns', 'foreignKeys', 'checks'], 'foreignKeys'],
    ['uri', ['url', 'schema', 'migrations'], 'url'],
    ['table', ['release', 'tables', 'transitions'], 'tables'],
    ['migrationsDir', ['url', 'migrations', 'databaseSchema'], 'migrations'],
    ['PrimaryKey', ['primaryKey', 'uniques'], 'primaryKey'],
    ['colums', ['columns', 'unique', 'where'], 'columns'],
    ['retire', ['retires', 'reads', 'forward'], 'retires'],
  ])('%s -> %s', (word, known, expected) => {
    expect(suggestion(word, known)).toBe(expected);
  });

  it('suggests nothing when no known word is near', () => {
    expect(suggestion('color', ['url', 'schema', 'migrations'])).toBeNull();
    expect(suggestion('x', ['url', 'schema'])).toBeNull();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('nullabel', 'nullable')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('shapes', () => {
  const check = (shape: (v: unknown, p: string, r: Report) => void, value: unknown) => {
    const issues: string[] = [];
    shape(value, 'x', (path, message) => issues.push(`${path}: ${message}`));
    return issues;
  };
  const column = object({ type: string({ nonEmpty: true }), nullable: boolean }, { required: ['type'], insteadOf: { notNull: '`nullable: false`' } });

  it('accepts what it describes', () => {
    expect(check(column, { type: 'int', nullable: false })).toEqual([]);
    expect(check(column, { type: 'int', nullable: undefined })).toEqual([]);
    expect(check(record(column), { a: { type: 'int' } })).toEqual([]);
    expect(check(array(integer({ min: 0 })), [0, 1, 2])).toEqual([]);
    expect(check(oneOf([true, 'always']), 'always')).toEqual([]);
  });

  it('reports every problem with its path', () => {
    expect(check(record(column), { a: { nullabel: true }, b: 'int', 'odd key': { type: '' } })).toEqual([
      'x.a.type: is required (a non-empty string)',
      'x.a.nullabel: unknown key "nullabel"; did you mean "nullable"? (known: type, nullable)',
      'x.b: must be an object, got string "int"',
      'x."odd key".type: must not be empty',
    ]);
    expect(check(column, { type: 'int', notNull: true })).toEqual(['x.notNull: unknown key "notNull"; write `nullable: false`']);
    expect(check(array(integer({ min: 1 })), [1, 0, 2.5, '3'])).toEqual([
      'x[1]: must be an integer >= 1, got number 0',
      'x[2]: must be an integer >= 1, got number 2.5',
      'x[3]: must be an integer >= 1, got string "3"',
    ]);
    expect(check(array(string()), 'a')).toEqual(['x: must be a list of a string, got string "a"']);
    expect(check(object({}), null)).toEqual(['x: must be an object, got null']);
    expect(check(oneOf([true, false, 'always']), 'sometimes')).toEqual(['x: must be one of true, false, "always", got string "sometimes"']);
    expect(check(array(string(), { nonEmpty: true }), [])).toEqual(['x: must not be empty']);
  });
});

describe('command-line numbers', () => {
  it('takes whole numbers only where a count is meant', () => {
    expect(integerFlag('--lock-retries')('3')).toBe(3);
    expect(integerFlag('--lock-retries')('0')).toBe(0);
    for (const bad of ['1.5', '-1', '1e3', 'three', '', ' ', '0x10', String(2 ** 60)]) {
      expect(() => integerFlag('--lock-retries')(bad), bad).toThrow(/--lock-retries needs a whole number, got/);
    }
    expect(() => integerFlag('--max-rows', 1)('0')).toThrow('--max-rows needs a whole number of at least 1, got "0"');
  });

  it('takes fractions where seconds are meant, never a negative or empty value', () => {
    expect(numberFlag('--wait')('0.5')).toBe(0.5);
    for (const bad of ['-1', 'soon', '', 'Infinity']) expect(() => numberFlag('--wait')(bad), bad).toThrow(/--wait needs a non-negative number/);
  });
});

describe('ledger times', () => {
  it('are ISO 8601 in UTC whichever driver read them', () => {
    expect(isoTime(new Date('2026-12-03T09:14:30.123Z'))).toBe('2026-12-03T09:14:30.123Z');
    expect(isoTime('2026-12-03 09:14:30')).toBe('2026-12-03T09:14:30.000Z');
    expect(isoTime('2026-12-03 09:14:30.250')).toBe('2026-12-03T09:14:30.250Z');
    expect(isoTime('2026-12-03T09:14:30+01:00')).toBe('2026-12-03T08:14:30.000Z');
    expect(isoTime(null)).toBeNull();
  });
});
