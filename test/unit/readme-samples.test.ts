/**
 * Every ```ts block in README.md and docs/*.md must compile as a user's application would compile
 * it: strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, module NodeNext, with
 * `import ... from 'dbtide'` resolving to this repository's src/index.ts.
 *
 * How a block becomes a file in the temporary project:
 * - A block whose first line is a comment naming a `.ts` path (`// migrations/004-liberty.ts`) is
 *   written at that path. Otherwise it is written as `migrations/<doc>-<line>.ts`, next to the
 *   release files, so that `import kilo from './003-kilo.js'` resolves as it would in a project.
 * - The project starts with the example chain (`migrations/0*.ts` of this repository): the README's
 *   samples extend its releases. A named block replaces the chain's file of that name.
 * - `<!-- not-compiled -->` on the line before a block skips it. It is for genuine fragments only
 *   (a table entry, a registry entry), not for a module that fails to compile.
 *
 * One compiler program checks all blocks, so the test costs one type-check of src/ and the samples.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SKIP_MARKER = '<!-- not-compiled -->';

interface Block {
  doc: string;
  /** 1-based line of the opening fence in `doc`. */
  line: number;
  file: string;
  code: string;
}

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The ```ts blocks of one Markdown file, indented ones (inside a list item) dedented. */
function extractBlocks(doc: string, text: string): { blocks: Block[]; skipped: number } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ts\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? '').trim() !== '```') {
      const l = lines[j] ?? '';
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l);
      j++;
    }
    const previous = (lines[i - 1] ?? '').trim();
    if (previous === SKIP_MARKER) {
      skipped++;
    } else {
      const named = /^\/\/\s*([\w./-]+\.ts)\s*$/.exec(body[0] ?? '');
      const stem = doc.replace(/[^\w]+/g, '-');
      blocks.push({ doc, line: i + 1, file: named?.[1] ?? `migrations/${stem}-${i + 1}.ts`, code: body.join('\n') });
    }
    i = j;
  }
  return { blocks, skipped };
}

/**
 * Diagnostics that come from dbtide's public types, not from the samples: the README shows what a
 * user should write, so the sample stays and the type is reported to be fixed in src/. Each entry
 * must still occur, so that it is removed once the type is fixed.
 */

const work = mkdtempSync(join(tmpdir(), 'dbtide-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README and docs code samples', () => {
  const all = docFiles().map((doc) => extractBlocks(doc, readFileSync(join(ROOT, doc), 'utf8')));
  const blocks = all.flatMap((a) => a.blocks);

  it('finds the samples, and skips few', () => {
    // Guards the extractor: a change to the fence syntax must not make the test pass vacuously.
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(all.reduce((n, a) => n + a.skipped, 0)).toBeLessThanOrEqual(5);
  });

  it('names each file once', () => {
    const files = blocks.map((b) => b.file);
    expect(files.filter((f, i) => files.indexOf(f) !== i)).toEqual([]);
  });

  it('type-checks every block under strict settings', () => {
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    mkdirSync(join(work, 'migrations'));
    for (const f of readdirSync(join(ROOT, 'migrations')).filter((f) => /^\d.*\.ts$/.test(f))) {
      writeFileSync(join(work, 'migrations', f), readFileSync(join(ROOT, 'migrations', f)));
    }
    const byFile = new Map<string, Block>();
    for (const b of blocks) {
      const path = join(work, b.file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, b.code);
      byFile.set(resolve(path), b);
    }
    const options: ts.CompilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      // A user's project reads dbtide's declarations, whose bodies it does not check: only the
      // samples' own diagnostics count (dbtide's sources are checked by `tsc -p .`).
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      paths: { dbtide: [join(ROOT, 'src/index.ts')] },
    };
    const roots = [...byFile.keys(), ...readdirSync(join(work, 'migrations')).map((f) => resolve(work, 'migrations', f))];
    const program = ts.createProgram([...new Set(roots)], options);
    const problems: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const file = d.file ? resolve(d.file.fileName) : undefined;
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!file) {
        problems.push(`(global): ${message}`);
        continue;
      }
      const block = byFile.get(file);
      if (!block) continue;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      problems.push(`${block.doc}:${block.line + 1 + line} (block at line ${block.line}, ${relative(work, file)}): ${message}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
