import { describe, expect, it } from 'vitest';
import { knownParams, parseConnectionUrl, secretsOf, tryParseConnectionUrl, withDatabaseName } from '../../src/connection-url.js';
import { DbtideError } from '../../src/errors.js';

const parts = (url: string) => {
  const p = parseConnectionUrl(url);
  return { user: p.user, password: p.password, host: p.host, port: p.port, database: p.database };
};

describe('parseConnectionUrl', () => {
  it.each([
    ['postgres://app:s3cret@db.example.com:5432/shop', { user: 'app', password: 's3cret', host: 'db.example.com', port: 5432, database: 'shop' }],
    ['postgres://app@db/shop', { user: 'app', password: undefined, host: 'db', port: undefined, database: 'shop' }],
    ['postgres://db', { user: '', password: undefined, host: 'db', port: undefined, database: undefined }],
    ['mysql://root@127.0.0.1:3306/', { user: 'root', password: undefined, host: '127.0.0.1', port: 3306, database: undefined }],
    ['postgres://app:@host/db', { user: 'app', password: '', host: 'host', port: undefined, database: 'db' }],
    ['postgres://app:pw@[::1]:5432/db', { user: 'app', password: 'pw', host: '::1', port: 5432, database: 'db' }],
    ['postgres://app:pw@[fe80::1%25eth0]/db', { user: 'app', password: 'pw', host: 'fe80::1%25eth0', port: undefined, database: 'db' }],
    ['postgres://a%40corp:pw@host/my%2Fdb', { user: 'a@corp', password: 'pw', host: 'host', port: undefined, database: 'my/db' }],
  ])('reads %s', (url, expected) => {
    expect(parts(url)).toEqual(expected);
  });

  // Hand-typed passwords: every character that delimits a URL, unencoded.
  it.each([
    ['hun ter2'],
    ['hun ter@#2'],
    ['p@ss'],
    ['p@ss@word'],
    ['a#b'],
    ['100%'],
    ['50%off%'],
    ['a:b:c'],
    ['pa/ss'],
    ['p/w:x?y'],
    ['a@b/c'],
    ['a@b?c'],
    ['x@h:1/'],
    ['p@ss w#rd%:/2x'],
  ])('takes the unencoded password %j whole', (password) => {
    for (const tail of ['127.0.0.1:5432/db', 'db.internal/db?sslmode=require', 'host', '[::1]:5432/db']) {
      const url = `postgres://app:${password}@${tail}`;
      expect(parseConnectionUrl(url).password, url).toBe(password);
      expect(parseConnectionUrl(url).user, url).toBe('app');
    }
  });

  it.each([['hun ter@#2'], ['p@ss w#rd%:/2x'], ['%41 literal'], ['ü€/?#[]@!$&\'()*+,;=']])('takes the percent-encoded password %j', (password) => {
    expect(parseConnectionUrl(`mysql://root:${encodeURIComponent(password)}@127.0.0.1:3306/db`).password).toBe(password);
  });

  it('reads a user name holding @ up to its colon', () => {
    expect(parts('postgres://me@corp.com:p@ss@host:5432/db')).toEqual({ user: 'me@corp.com', password: 'p@ss', host: 'host', port: 5432, database: 'db' });
  });

  it('keeps an @ in a parameter value out of the userinfo', () => {
    expect(parseConnectionUrl('postgres://host/db?application_name=me@laptop')).toMatchObject({ user: '', password: undefined, host: 'host', params: [['application_name', 'me@laptop']] });
    expect(parseConnectionUrl('postgres://app:p@ss@host/db?application_name=me@laptop')).toMatchObject({ password: 'p@ss', host: 'host' });
  });

  it('decodes parameters and keeps them in order', () => {
    expect(parseConnectionUrl('postgres://host/db?user=app&password=a%20b&ssl').params).toEqual([
      ['user', 'app'],
      ['password', 'a b'],
      ['ssl', ''],
    ]);
    expect(parseConnectionUrl('postgres:///db?host=/var/run/postgresql')).toMatchObject({ host: '', database: 'db', params: [['host', '/var/run/postgresql']] });
  });

  it.each(['postgres://u:pw@host/a/b', 'postgres://u:pw@host name/db', 'postgres://[::1', 'not a url', 'postgres://u:pw@host:54x2/db'])(
    'refuses %j with the expected shape and without the password',
    (url) => {
      const error = (() => {
        try {
          parseConnectionUrl(url);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DbtideError);
      expect((error as DbtideError).message).toContain('cannot read the database URL');
      expect((error as DbtideError).message).not.toContain('pw');
      expect((error as DbtideError).hint).toContain('postgres://user@host:5432/database');
    },
  );

  it('refuses a port outside 1-65535', () => {
    expect(() => parseConnectionUrl('postgres://u:pw@host:0/db')).toThrow('names port 0');
    expect(() => parseConnectionUrl('postgres://u:pw@host:65536/db')).toThrow(/postgres:\/\/u:\*\*\*@host:65536\/db names port 65536/);
  });

  it('answers null for text that is no server URL', () => {
    for (const text of ['', 'pglite:memory', 'pglite:./data', 'sqlite:///tmp/x.db', '\u0000\uffff']) expect(tryParseConnectionUrl(text)).toBeNull();
  });
});

describe('secretsOf', () => {
  it('lists the password as typed, decoded and encoded, and password parameters, longest first', () => {
    const secrets = secretsOf(parseConnectionUrl('postgres://app:a%20b@host/db?sslpassword=k%3Dy&application_name=x'));
    expect(new Set(secrets)).toEqual(new Set(['a%20b', 'a b', 'k%3Dy', 'k=y']));
    expect(secrets).toEqual([...secrets].sort((a, b) => b.length - a.length));
  });

  it('lists nothing for a URL without secrets, and never the empty string', () => {
    expect(secretsOf(parseConnectionUrl('postgres://app:@host/db?password='))).toEqual([]);
  });
});

describe('knownParams', () => {
  const known = ['sslmode', 'application_name'];
  it('returns the parameters by name', () => {
    expect(knownParams(parseConnectionUrl('postgres://h/d?sslmode=require'), known, 'PostgreSQL')).toEqual(new Map([['sslmode', 'require']]));
  });

  it('refuses one the driver would ignore, naming it and the known ones, without the password', () => {
    const url = parseConnectionUrl('postgres://u:s3cret@h/d?sslmdoe=require');
    expect(() => knownParams(url, known, 'PostgreSQL')).toThrow('the database URL postgres://u:***@h/d?sslmdoe=require has the parameter "sslmdoe", which dbtide does not pass to PostgreSQL');
  });

  it('refuses one given twice', () => {
    expect(() => knownParams(parseConnectionUrl('postgres://h/d?sslmode=require&sslmode=disable'), known, 'PostgreSQL')).toThrow('gives the parameter "sslmode" twice');
  });
});

describe('withDatabaseName', () => {
  it.each([
    ['postgres://app:p@ss/w?rd@127.0.0.1:5432/shop?sslmode=disable', 'dbtide_x_1a2b3c', 'postgres://app:p@ss/w?rd@127.0.0.1:5432/dbtide_x_1a2b3c?sslmode=disable'],
    ['mysql://root@127.0.0.1:3306/', 'scratch', 'mysql://root@127.0.0.1:3306/scratch'],
    ['mysql://127.0.0.1', 'scratch', 'mysql://127.0.0.1/scratch'],
  ])('%s naming %s', (url, name, expected) => {
    const renamed = withDatabaseName(parseConnectionUrl(url), name);
    expect(renamed).toBe(expected);
    const before = parseConnectionUrl(url);
    const after = parseConnectionUrl(renamed);
    expect({ ...after, raw: undefined }).toEqual({ ...before, database: name, raw: undefined });
  });
});
