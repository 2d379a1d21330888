import { describe, expect, it } from 'vitest';
import { sameIndex } from '../../src/diff/same-object.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { keyOpclass, readIndexKey } from '../../src/model/index-entry.js';
import { comparableEntry, reportedOrder, splitExpressionEntry, splitKeyWords, type KeyWords } from '../../src/model/index-key-words.js';
import { declaredOperatorClasses } from '../../src/plan/operator-classes.js';
import { indexKey as mysqlIndexKey } from '../../dialects/mysql/compiler.js';
import { indexKey as postgresIndexKey } from '../../dialects/postgres/compiler.js';
import { index } from '../support/model-builders.js';

const words = (body: string, collation: string | null = null, opclass: string | null = null, order = ''): KeyWords => ({ body, collation, opclass, order });

describe('splitKeyWords: collation, operator class and sort order read off the end', () => {
  it.each<[string, KeyWords]>([
    ['email', words('email')],
    ['email DESC', words('email', null, null, 'DESC')],
    ['email asc nulls last', words('email', null, null, 'ASC NULLS LAST')],
    ['email nulls  first', words('email', null, null, 'NULLS FIRST')],
    ['email varchar_pattern_ops', words('email', null, 'varchar_pattern_ops')],
    ['email pg_catalog.int8_ops DESC', words('email', null, 'pg_catalog.int8_ops', 'DESC')],
    ['email "My Ops"', words('email', null, '"My Ops"')],
    ['email COLLATE "C"', words('email', '"C"')],
    ['email collate pg_catalog."default" desc', words('email', 'pg_catalog."default"', null, 'DESC')],
    ['name COLLATE "C" text_pattern_ops DESC NULLS LAST', words('name', '"C"', 'text_pattern_ops', 'DESC NULLS LAST')],
    ['lower(email) text_pattern_ops', words('lower(email)', null, 'text_pattern_ops')],
    ["t gist_trgm_ops (siglen='32')", words('t', null, "gist_trgm_ops (siglen='32')")],
    ['lower(email)', words('lower(email)')],
    ['descending_ops', words('descending_ops')],
  ])('%s', (text, expected) => {
    expect(splitKeyWords(text)).toEqual(expected);
  });

  it('after a column, the words may start with the operator class', () => {
    expect(splitKeyWords('text_pattern_ops DESC', true)).toEqual(words('', null, 'text_pattern_ops', 'DESC'));
    expect(splitKeyWords('text_pattern_ops DESC')).toEqual(words('text_pattern_ops', null, null, 'DESC'));
    expect(splitKeyWords('COLLATE "C"', true)).toEqual(words('', '"C"'));
  });
});

describe('splitExpressionEntry: words follow only a call, a parenthesized expression or a name', () => {
  it.each<[string, KeyWords]>([
    ['lower(email) text_pattern_ops', words('lower(email)', null, 'text_pattern_ops')],
    ['(a || b) text_pattern_ops DESC', words('(a || b)', null, 'text_pattern_ops', 'DESC')],
    ['lower(email) COLLATE "C" DESC', words('lower(email)', '"C"', null, 'DESC')],
    ['"we ird" text_ops', words('"we ird"', null, 'text_ops')],
    ['a + b', words('a + b')],
    ['a + b DESC', words('a + b', null, null, 'DESC')],
    ["coalesce(a, 'x') || b", words("coalesce(a, 'x') || b")],
    ['price * qty', words('price * qty')],
  ])('%s', (entry, expected) => {
    expect(splitExpressionEntry(entry)).toEqual(expected);
  });
});

describe('reportedOrder: what PostgreSQL reports of a sort order', () => {
  it.each([
    ['', ''],
    ['ASC', ''],
    ['ASC NULLS LAST', ''],
    ['NULLS LAST', ''],
    ['NULLS FIRST', 'NULLS FIRST'],
    ['ASC NULLS FIRST', 'NULLS FIRST'],
    ['DESC', 'DESC'],
    ['DESC NULLS FIRST', 'DESC'],
    ['DESC NULLS LAST', 'DESC NULLS LAST'],
  ])('%s -> %s', (order, reported) => {
    expect(reportedOrder(order)).toBe(reported);
  });
});

describe('comparableEntry', () => {
  it.each<[string, string | null, string]>([
    ['id int8_ops', 'int8_ops', 'id'],
    ['id INT8_OPS', 'int8_ops', 'id'],
    ['id pg_catalog.int8_ops', 'int8_ops', 'id'],
    ['name text_ops DESC NULLS FIRST', 'text_ops', 'name DESC'],
    ['email varchar_pattern_ops', 'text_ops', 'email varchar_pattern_ops'],
    ['email varchar_pattern_ops', null, 'email varchar_pattern_ops'],
    ['id int8_ops', null, 'id int8_ops'],
    ['email ASC NULLS LAST', null, 'email'],
    ['name COLLATE "C" text_pattern_ops DESC NULLS LAST', 'text_ops', 'name COLLATE "C" text_pattern_ops DESC NULLS LAST'],
    ['name COLLATE "C" text_ops', 'text_ops', 'name COLLATE "C"'],
    ['lower(email) text_ops', 'text_ops', 'lower(email)'],
  ])('%s (default %s) -> %s', (entry, defaultOpclass, comparable) => {
    expect(comparableEntry(entry, defaultOpclass)).toBe(comparable);
  });
});

describe('sameIndex: a default operator class or sort order written out is the same key', () => {
  const live = (columns: string[], defaultOpclasses: (string | null)[], using = 'btree') => index('i', columns, { using, defaultOpclasses });
  const declared = (columns: string[], using = 'btree') => index('i', columns, { using });

  it.each<[string[], string[], (string | null)[], boolean]>([
    [['id int8_ops'], ['id'], ['int8_ops'], true],
    [['id'], ['id'], ['int8_ops'], true],
    [['name text_ops', 'id int8_ops DESC'], ['name', 'id DESC'], ['text_ops', 'int8_ops'], true],
    [['email varchar_pattern_ops'], ['email varchar_pattern_ops'], [null], true],
    [['email varchar_pattern_ops'], ['email'], ['text_ops'], false],
    [['email'], ['email varchar_pattern_ops'], [null], false],
    [['email text_pattern_ops'], ['email varchar_pattern_ops'], [null], false],
    [['lower(email) text_pattern_ops'], ['lower((email)::text) text_pattern_ops'], [null], true],
    [['lower(email) text_ops'], ['lower((email)::text)'], ['text_ops'], true],
    [['name COLLATE "C" text_pattern_ops DESC NULLS LAST'], ['name COLLATE "C" text_pattern_ops DESC NULLS LAST'], [null], true],
    [['name COLLATE "C"'], ['name'], ['text_ops'], false],
    [['name DESC NULLS LAST'], ['name DESC'], ['text_ops'], false],
    [['email ASC NULLS LAST', 'name DESC NULLS FIRST'], ['email', 'name DESC'], ['text_ops', 'text_ops'], true],
    [['name NULLS FIRST'], ['name'], ['text_ops'], false],
    [['a b'], ['a b'], ['text_ops'], true],
  ])('%j against live %j (defaults %j): %s', (mine, theirs, defaults, same) => {
    expect(sameIndex(declared(mine), live(theirs, defaults))).toBe(same);
    expect(sameIndex(live(theirs, defaults), declared(mine))).toBe(same);
  });

  it('gin: jsonb_path_ops is not the default jsonb_ops', () => {
    expect(sameIndex(declared(['doc jsonb_path_ops'], 'gin'), live(['doc'], ['jsonb_ops'], 'gin'))).toBe(false);
    expect(sameIndex(declared(['doc jsonb_ops'], 'gin'), live(['doc'], ['jsonb_ops'], 'gin'))).toBe(true);
  });
});

describe('the operator class of a key', () => {
  const columns = ['email', 'a b', 'name'];
  it.each([
    ['email varchar_pattern_ops', 'varchar_pattern_ops'],
    ['email COLLATE "C" text_pattern_ops DESC', 'text_pattern_ops'],
    ['lower(email) text_pattern_ops', 'text_pattern_ops'],
    ['email', null],
    ['email DESC NULLS LAST', null],
    ['email(10) DESC', null],
    ['email COLLATE "C"', null],
    ['a b', null],
    ['a b DESC', null],
    ['lower(email)', null],
    ['email || name', null],
    ['concat(email, name) DESC', null],
  ])('%s: %s', (entry, opclass) => {
    expect(keyOpclass(readIndexKey(entry, columns))).toBe(opclass);
  });

  it('declaredOperatorClasses names each entry that has one by its path', () => {
    const release = normalizeSchema(
      defineSchema({
        release: 'r',
        tables: {
          users: {
            columns: { id: 'bigint', email: 'varchar(50)', name: 'text' },
            indexes: [{ columns: ['email', 'name text_pattern_ops'] }, { columns: ['email DESC'] }, { columns: ['lower(email) text_ops'], name: 'by_lower' }],
          },
        },
      }),
    );
    expect(declaredOperatorClasses(release)).toEqual([
      'tables.users.indexes.by_lower.columns[0]: "lower(email) text_ops" names the operator class text_ops',
      'tables.users.indexes.users_email_name_text_pattern_ops_idx.columns[1]: "name text_pattern_ops" names the operator class text_pattern_ops',
    ]);
  });
});

describe('a key with words, as each dialect writes it', () => {
  const columns = ['name', 'we"ird'];
  it.each([
    ['name COLLATE "C" text_pattern_ops DESC NULLS LAST', '"name" COLLATE "C" text_pattern_ops DESC NULLS LAST'],
    ['we"ird varchar_pattern_ops', '"we""ird" varchar_pattern_ops'],
    ['lower(name) text_pattern_ops', 'lower(name) text_pattern_ops'],
  ])('PostgreSQL: %s', (entry, sql) => {
    expect(postgresIndexKey(readIndexKey(entry, columns))).toBe(sql);
  });

  it.each([
    ['name COLLATE utf8mb4_bin DESC', '(`name` COLLATE utf8mb4_bin) DESC'],
    ['we"ird COLLATE utf8mb4_bin', '(`we"ird` COLLATE utf8mb4_bin)'],
    ['name DESC', '`name` DESC'],
  ])('MySQL, where only an expression takes a collation: %s', (entry, sql) => {
    expect(mysqlIndexKey(readIndexKey(entry, columns))).toBe(sql);
  });
});
