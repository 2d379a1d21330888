import { describe, expect, it } from 'vitest';
import { guardSecretsOf, redactSecrets, redactText, redactUrl } from '../../src/redact.js';

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
    ['postgres://postgres:hun ter2@127.0.0.1:5432/db', 'postgres://postgres:***@127.0.0.1:5432/db'],
    ['postgres://postgres:hun ter@#2@127.0.0.1:5432/db', 'postgres://postgres:***@127.0.0.1:5432/db'],
    ['mysql://root:p@ss w#rd%:/2x@127.0.0.1:3306/db', 'mysql://root:***@127.0.0.1:3306/db'],
    ['mysql://root:a?b#c@[::1]:3306/', 'mysql://root:***@[::1]:3306/'],
    ['postgres://me@corp:100%@host/db?sslmode=require', 'postgres://me@corp:***@host/db?sslmode=require'],
    ['postgres://app:p%40ss%20w%23rd@host/db', 'postgres://app:***@host/db'],
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
    expect(redactUrl('mysql://h/db?PWD=a%20b&pass=c&Password=d&user=p')).toBe('mysql://h/db?PWD=***&pass=***&Password=***&user=p');
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

  it('masks a password parameter without eating the punctuation after the URL', () => {
    expect(redactText('check the URL (mysql://h/db?password=pw), that the server runs')).toBe('check the URL (mysql://h/db?password=***), that the server runs');
    expect(redactText('url mysql://h/db?user=u&password=pw; then')).toBe('url mysql://h/db?user=u&password=***; then');
    expect(redactText('conninfo "host=h password=s3cret dbname=d".')).toBe('conninfo "host=h password=*** dbname=d".');
    expect(redactText('a p)w in it: ?password=p)w end')).toBe('a p)w in it: ?password=*** end');
  });

  it('keeps the text after a URL with a password', () => {
    expect(redactText('check the URL (mysql://root:pw@127.0.0.1:3306/db), that the server')).toBe('check the URL (mysql://root:***@127.0.0.1:3306/db), that the server');
  });
});

describe('redactSecrets', () => {
  const url = 'postgres://postgres:hun ter@#2@127.0.0.1:5432/db?application_name=x';

  it('hides the exact password of the URL in play, in every form, and keeps the rest', () => {
    const text = `tried ${url} (user postgres); pw hun ter@#2, encoded hun%20ter%40%232, in a URL postgres://postgres:hun%20ter%40%232@h/db), done`;
    const redacted = redactSecrets(text, url);
    expect(redacted).toBe('tried postgres://postgres:***@127.0.0.1:5432/db?application_name=x (user postgres); pw ***, encoded ***, in a URL postgres://postgres:***@h/db), done');
    for (const part of ['hun', 'ter', '#2', '%23']) expect(redacted).not.toContain(part);
  });

  it.each(['p@ss w#rd%:/2x', 'a:b/c?d', '100%', 'x y'])('hides the MySQL server quoting a URL with password %j', (password) => {
    const typed = `mysql://root:${password}@127.0.0.1:3306/db`;
    const message = `Access denied (${typed}), and again ${password}.`;
    expect(redactSecrets(message, typed)).toBe('Access denied (mysql://root:***@127.0.0.1:3306/db), and again ***.');
  });

  it('falls back to the patterns for a URL it cannot read', () => {
    expect(redactSecrets('bad mysql://u:pw@h/a/b given', 'mysql://u:pw@h/a/b')).toBe('bad mysql://u:***@h/a/b given');
  });
});

describe('guardSecretsOf', () => {
  it('makes redactText hide the secrets of a URL connected with, whatever the text around them', () => {
    const secret = 'gu@rd ed#pw';
    expect(redactText(`server said: ${secret} is wrong`)).toContain(secret);
    guardSecretsOf(`postgres://app:${secret}@127.0.0.1:5432/db`);
    expect(redactText(`server said: ${secret} is wrong, ${encodeURIComponent(secret)} too`)).toBe('server said: *** is wrong, *** too');
  });
});
