/**
 * Every relative link in README.md and docs/*.md must name a file or folder of this repository,
 * and every `#anchor` must name a heading of the file it points into. A link to a path outside the
 * repository (a design folder next to it) works on one machine and is dead for everyone else.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown text outside fenced code blocks and inline code spans, where links are links. */
function prose(text: string): string {
  return text.replace(/^\s*```[\s\S]*?^\s*```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    // GitHub numbers repeated headings: the second `## Usage` is #usage-1.
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function links(doc: string): { target: string; line: number }[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const out: { target: string; line: number }[] = [];
  const kept = prose(text);
  for (const m of kept.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    // The line in the original text: the first line holding this exact link.
    const index = text.indexOf(`](${target}`);
    out.push({ target, line: text.slice(0, index).split('\n').length });
  }
  return out;
}

describe('links in README.md and docs/*.md', () => {
  it.each(docs)('%s: every relative link resolves inside the repository', (doc) => {
    const broken: string[] = [];
    for (const { target, line } of links(doc)) {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(ROOT, doc) : resolve(ROOT, dirname(doc), decodeURIComponent(path));
      if (relative(ROOT, file).startsWith('..')) {
        broken.push(`${doc}:${line}: ${target} points outside the repository`);
        continue;
      }
      if (!existsSync(file)) {
        broken.push(`${doc}:${line}: ${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) {
        broken.push(`${doc}:${line}: ${target}: no heading with that anchor in ${relative(ROOT, file)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the links (the extractor is not blind)', () => {
    // README.md links its own sections and docs/dialects.md; none found means the pattern broke.
    expect(links('README.md').length).toBeGreaterThan(5);
  });
});
