import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Release files written by a test. They live under the repository's `.dbtide/` (ignored by git)
 * so that `import ... from 'dbtide'` resolves to this package, as it does in a user's project.
 */
export function releaseDir(): { dir: string; write(name: string, source: string): string; remove(): void } {
  const root = resolve(import.meta.dirname, '../../.dbtide');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'test-'));
  return {
    dir,
    write(name, source) {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, source);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
