import { describe, expect, it } from 'vitest';
import type { ChainReport, CheckName, CheckResult, ReleaseResult } from '../../src/verify/chain-report.js';
import { renderChainJson, renderChainJunit, renderChainText } from '../../src/verify/render-chain-report.js';

const check = (name: CheckName, ms: number, summary: string, details?: string[]): CheckResult => ({
  name,
  ok: details === undefined,
  ms,
  summary,
  ...(details ? { details } : {}),
});

const release = (name: string, ms: number, checks: CheckResult[]): ReleaseResult => ({
  release: name,
  file: `migrations/${name}.ts`,
  checks,
  ok: checks.every((c) => c.ok),
  ms,
});

const chain = (ms: number, releases: ReleaseResult[]): ChainReport => ({
  server: 'postgres 16.4',
  target: 'postgres://postgres@localhost:5432',
  releases,
  ok: releases.every((r) => r.ok),
  ms,
});

const NASTY = 'bad <tag> & "quotes" it\'s\u0001here';

const twoReleases = chain(3456, [
  release('001-icehouse', 1234, [
    check('install', 412, 'fresh install at 001-icehouse: 1 table(s)'),
    check('expand', 88.6, '3 step(s)'),
    check('idempotence', 20, 'a second expand, migrate and contract plan nothing'),
  ]),
  release('002-juno', 2222, [
    check('expand', 140, '2 step(s)'),
    check('schema-equality', 310, '1 difference(s) from a fresh install of 002-juno', [
      'instances.uuid: nullable after the upgrade,',
      '  NOT NULL on a fresh install',
    ]),
    check('phase-policy', 1, 'no step outside its phase'),
  ]),
]);

describe('renderChainText', () => {
  it('prints a table per release, the details of a failure, and names the failed checks', () => {
    expect(renderChainText(twoReleases)).toBe(
      [
        'verify-chain on postgres 16.4 (postgres://postgres@localhost:5432)',
        '',
        '001-icehouse  PASS  1.2 s  migrations/001-icehouse.ts',
        '  check            ok         ms  summary',
        '  install          PASS      412  fresh install at 001-icehouse: 1 table(s)',
        '  expand           PASS       89  3 step(s)',
        '  idempotence      PASS       20  a second expand, migrate and contract plan nothing',
        '',
        '002-juno  FAIL  2.2 s  migrations/002-juno.ts',
        '  check            ok         ms  summary',
        '  expand           PASS      140  2 step(s)',
        '  schema-equality  FAIL      310  1 difference(s) from a fresh install of 002-juno',
        '      instances.uuid: nullable after the upgrade,',
        '        NOT NULL on a fresh install',
        '  phase-policy     PASS        1  no step outside its phase',
        '',
        'verify-chain: 2 release(s), 5 check(s) passed in 3.5 s, FAILED: 1 check(s) failed (002-juno schema-equality)',
        '',
      ].join('\n'),
    );
  });

  it('ends a passing chain with the counts', () => {
    const text = renderChainText(chain(12_345, [twoReleases.releases[0]!]));
    expect(text.endsWith('\nverify-chain: 1 release(s), 3 check(s) passed, 0 failed in 12.3 s\n')).toBe(true);
    expect(text).not.toContain('FAIL');
  });

  it('renders an empty chain', () => {
    expect(renderChainText(chain(0, []))).toBe(
      'verify-chain on postgres 16.4 (postgres://postgres@localhost:5432)\n\nverify-chain: 0 release(s), 0 check(s) passed, 0 failed in 0.0 s\n',
    );
  });

  it('lists every failed check, and says FAILED even when the runner failed outside any check', () => {
    const failing = chain(10, [
      release('001-a', 5, [check('install', 1, 'x', []), check('data', 1, 'y', [])]),
      release('002-b', 5, [check('contract', 1, 'z', [])]),
    ]);
    expect(renderChainText(failing)).toContain('FAILED: 3 check(s) failed (001-a install, 001-a data, 002-b contract)\n');
    expect(renderChainText({ ...chain(10, []), ok: false })).toContain('0 check(s) passed in 0.0 s, FAILED: 0 check(s) failed\n');
  });

  it('keeps rows within 100 columns, cutting long summaries by code point', () => {
    const long = `${'x'.repeat(64)}😀${'y'.repeat(50)}`;
    const text = renderChainText(chain(1, [release('001-long', 1, [check('schema-equality', 123_456, long)])]));
    const row = text.split('\n').find((l) => l.includes('schema-equality'))!;
    expect(Array.from(row)).toHaveLength(100);
    expect(row.endsWith(`  ${'x'.repeat(64)}😀…`)).toBe(true);
    const fits = 'z'.repeat(66);
    const exact = renderChainText(chain(1, [release('001-fit', 1, [check('data', 1, fits)])]));
    expect(exact).toContain(`  ${fits}\n`);
    expect(exact).not.toContain('…');
  });

  it('makes control characters visible and folds a multi-line summary onto its row', () => {
    const text = renderChainText(
      chain(1, [release('001-x', 1, [check('data', 7, `two\nlines\t${NASTY}`, [`\u001b[31mred${NASTY}`, 'a\r\nb'])])]),
    );
    expect(text).toContain(`FAIL        7  two lines bad <tag> & "quotes" it's\\u0001here\n`);
    expect(text).toContain(`\n      \\u001b[31mred${NASTY.replace('\u0001', '\\u0001')}\n      a\n      b\n`);
    expect([...text].filter((c) => (c < ' ' && c !== '\n') || c === '\u007f')).toEqual([]);
  });

  it('omits a passing check\'s details', () => {
    const text = renderChainText(chain(1, [release('001-x', 1, [{ ...check('seed', 1, 'ok'), details: ['hidden'] }])]));
    expect(text).not.toContain('hidden');
  });
});

describe('renderChainJson', () => {
  it('is the report, pretty, with a trailing newline', () => {
    const json = renderChainJson(twoReleases);
    expect(JSON.parse(json)).toEqual(twoReleases);
    expect(json).toMatch(/^\{\n {2}"server": "postgres 16.4",\n/);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(renderChainJson(chain(0, [])))).toEqual(chain(0, []));
  });

  it('survives control characters', () => {
    const report = chain(1, [release('001-x', 1, [check('data', 1, NASTY, [NASTY])])]);
    expect(JSON.parse(renderChainJson(report))).toEqual(report);
  });
});

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d+));/g, (_, name: string | undefined, code: string | undefined) =>
    name ? ENTITIES[name]! : String.fromCharCode(Number(code)),
  );

/**
 * Just enough of an XML parser to hold the output to the rules CI parsers enforce: characters legal
 * in XML 1.0, no bare & or <, no raw quote inside an attribute, tags that nest, one root.
 */
function parseXml(xml: string): XmlElement {
  expect(xml).not.toMatch(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
  expect(xml).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/);
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: XmlElement = { name: '', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([\w-]+)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let end = 0;
  for (const m of body.matchAll(token)) {
    expect(m.index).toBe(end);
    end = m.index + m[0].length;
    const top = stack[stack.length - 1]!;
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      top.text += decode(text);
    } else if (closing) {
      expect(name).toBe(top.name);
      stack.pop();
    } else {
      const attrs = Object.fromEntries([...attrText!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k!, decode(v!)]));
      const element: XmlElement = { name: name!, attrs, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  expect(end).toBe(body.length);
  expect(stack).toHaveLength(1);
  expect(root.children).toHaveLength(1);
  expect(root.text.trim()).toBe('');
  return root.children[0]!;
}

describe('renderChainJunit', () => {
  it('has a suite per release and a case per check, with counts and times in seconds', () => {
    const suites = parseXml(renderChainJunit(twoReleases));
    expect(suites.name).toBe('testsuites');
    expect(suites.attrs).toEqual({ name: 'dbtide verify-chain', tests: '6', failures: '1', time: '3.456' });
    expect(suites.children.map((s) => [s.name, s.attrs])).toEqual([
      ['testsuite', { name: '001-icehouse', tests: '3', failures: '0', time: '1.234' }],
      ['testsuite', { name: '002-juno', tests: '3', failures: '1', time: '2.222' }],
    ]);
    const [icehouse, juno] = suites.children;
    expect(icehouse!.children.map((c) => c.attrs)).toEqual([
      { classname: 'dbtide.verify-chain.001-icehouse', name: 'install', time: '0.412' },
      { classname: 'dbtide.verify-chain.001-icehouse', name: 'expand', time: '0.089' },
      { classname: 'dbtide.verify-chain.001-icehouse', name: 'idempotence', time: '0.020' },
    ]);
    expect(icehouse!.children.every((c) => c.name === 'testcase' && c.children.length === 0)).toBe(true);
    const [passing, failing] = juno!.children;
    expect(passing!.children).toEqual([]);
    expect(failing!.attrs).toEqual({ classname: 'dbtide.verify-chain.002-juno', name: 'schema-equality', time: '0.310' });
    expect(failing!.children).toEqual([
      {
        name: 'failure',
        attrs: { message: '1 difference(s) from a fresh install of 002-juno' },
        children: [],
        text: 'instances.uuid: nullable after the upgrade,\n  NOT NULL on a fresh install',
      },
    ]);
  });

  it('escapes markup, quotes and line breaks, and writes characters illegal in XML 1.0 as visible text', () => {
    const xml = renderChainJunit(
      chain(1, [release('001-<&>', 1, [check('data', 1, `${NASTY}\nnext line`, [NASTY, '\uFFFE\uD800 lone'])])]),
    );
    expect(xml).toContain('message="bad &lt;tag&gt; &amp; &quot;quotes&quot; it&apos;s\\u0001here&#10;next line"');
    expect(xml).toContain('<testsuite name="001-&lt;&amp;&gt;"');
    const failure = parseXml(xml).children[0]!.children[0]!.children[0]!;
    expect(failure.attrs.message).toBe(`bad <tag> & "quotes" it's\\u0001here\nnext line`);
    expect(failure.text).toBe(`bad <tag> & "quotes" it's\\u0001here\n\\ufffe\\ud800 lone`);
  });

  it('keeps astral characters, which are legal', () => {
    const xml = renderChainJunit(chain(1, [release('001-x', 1, [check('data', 1, 'ok 😀', ['😀'])])]));
    expect(parseXml(xml).children[0]!.children[0]!.children[0]!.text).toBe('😀');
    expect(xml).not.toContain('\\ud83d');
  });

  it('renders an empty chain as an empty, valid report', () => {
    const xml = renderChainJunit(chain(0, []));
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dbtide verify-chain" tests="0" failures="0" time="0.000">\n</testsuites>\n');
    expect(parseXml(xml).children).toEqual([]);
  });
});
