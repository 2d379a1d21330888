import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dbtide's own source folder: frames inside it are never the user's. */
const OWN_SOURCE = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

/**
 * `file:line` of the first frame of `stack` that is the user's code (a release file, a config),
 * not dbtide's, Node's or a package's. The loader maps frames back to the TypeScript source.
 */
export function userFrame(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    // Node's own frames (`node:internal/...`) name no file.
    if (/\bnode:/.test(line)) continue;
    const frame = /((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!frame) continue;
    const file = frame[1]!.startsWith('file://') ? fileURLToPath(frame[1]!) : frame[1]!;
    if (!file.startsWith(OWN_SOURCE) && !file.includes(`${sep}node_modules${sep}`)) return `${file}:${frame[2]}`;
  }
  return undefined;
}

/**
 * Where the release file that called into the declaration DSL is. A chain imports its releases one
 * from another, so an error thrown while loading the last one must say which file it came from.
 */
export const callerLocation = (): string | undefined => userFrame(new Error().stack);
