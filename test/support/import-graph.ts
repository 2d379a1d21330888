/** The relative imports of every TypeScript file in src/ and dialects/, as paths from the repository root. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const FOLDERS = ['src', 'dialects'];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);

/** Static `import ... from` and `export ... from` of relative modules; a dynamic import() is a lazy edge, not a cycle. */
const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gm;

export function importGraph(): Map<string, string[]> {
  const files = FOLDERS.flatMap((f) => sources(join(ROOT, f)));
  return new Map(files.map((file) => [
    relative(ROOT, file),
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => relative(ROOT, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))),
  ]));
}
