import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from '../../src/redact.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db.example.com:5432/shop', 'postgres://app:***@db.example.com:5432/shop'],
    ['postgresql://app:s3cret@db/shop?sslmode=require', 'postgresql://app:***@db/shop?sslmode=require'],
    ['mysql://root:pw@127.0.0.1', 'mysql://root:***@127.0.0.1'],
    ['postgres://:onlypassword@host/db', 'postgres://:***@host/db'],
    ['postgres://app:p%40ss@host/db', 'postgres://app:***@host/db'],
    ['postgres://app:@host/db', 'postgres://app:***@host/db'],
    ['postgres://app:s3cret@[::1]:5432/db', 'postgres://app:***@[::1]:5432/db'],
    ['postgres://app:s3cret@host', 'postgres://app:***@host'],
  ])('masks the password in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['postgres://app:p@ss:w/rd@host:5432/db', 'postgres://app:***@host:5432/db'],
    ['postgres://app:pa/ss@host/db', 'postgres://app:***@host/db'],
    ['postgres://app:p@münchen@host/db', 'postgres://app:***@host/db'],
  ])('masks a hand-typed password with unescaped delimiters: %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('keeps a password-free @ in the query string out of the password', () => {
    expect(redactUrl('postgres://app:pw@host/db?application_name=me@laptop')).toBe(
      'postgres://app:***@host/db?application_name=me@laptop',
    );
  });

  it('masks a password given as a query parameter', () => {
    expect(redactUrl('postgres://host/db?user=app&password=s3cret&sslmode=require')).toBe(
      'postgres://host/db?user=app&password=***&sslmode=require',
    );
    expect(redactUrl('postgres://host/db?sslpassword=k3y')).toBe('postgres://host/db?sslpassword=***');
  });

  it.each([
    'postgres://app@host:5432/db',
    'postgres://host:5432/db',
    'postgres:///db?host=/var/run/postgresql',
    'pglite:memory',
    'pglite:./data/dev',
    'sqlite:///tmp/x.db',
  ])('leaves %s unchanged', (url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it.each(['', 'not a url', '://', 'postgres://', 'postgres://[::1', '\u0000\uffff'])('does not throw on %j', (input) => {
    expect(() => redactUrl(input)).not.toThrow();
    expect(redactUrl(input)).toBe(input);
  });
});

describe('redactText', () => {
  it('masks every URL password in free text and keeps the rest', () => {
    const text =
      'tried postgres://a:one@h1/db, then "mysql://b:two@h2:3306/x" and db2://c:three@h3/y; gave up';
    const redacted = redactText(text);
    expect(redacted).toBe(
      'tried postgres://a:***@h1/db, then "mysql://b:***@h2:3306/x" and db2://c:***@h3/y; gave up',
    );
    for (const secret of ['one', 'two', 'three']) expect(redacted).not.toContain(`:${secret}@`);
  });

  it('leaves text without credentials unchanged', () => {
    const text = 'connect ECONNREFUSED 127.0.0.1:5432 (see https://example.com/a:b for help, mail ops@example.com)';
    expect(redactText(text)).toBe(text);
  });

  it('masks a URL that ends right after the host, inside quotes', () => {
    expect(redactText('bad url "postgres://u:s3cret@db.internal" given')).toBe('bad url "postgres://u:***@db.internal" given');
  });

  it('masks across lines', () => {
    expect(redactText('url:\npostgres://u:p@h/d\nnext')).toBe('url:\npostgres://u:***@h/d\nnext');
  });
});
