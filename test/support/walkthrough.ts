import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The shell lines of the README's walkthrough block, with the exit code each line's comment promises. */
export function walkthrough(): { line: string; exit: number }[] {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const block = /<!-- walkthrough:[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no walkthrough block');
  return block[1]!
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('export '))
    .map((l) => ({ line: l.replace(/\s+#.*$/, ''), exit: Number(/\(exit (\d+)/.exec(l)?.[1] ?? 0) }));
}
