import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Imports a file the user wrote (a release, `dbtide.config.ts`, a seed file) from wherever it lies,
 * whatever the nearest package.json says:
 * - `dbtide` in it is this very package (a release pulled to /tmp has no node_modules to find it in);
 * - a TypeScript file is compiled as an ES module by esbuild, and `./003-kilo.js` finds
 *   `003-kilo.ts`, as TypeScript's NodeNext resolution writes it;
 * - plain JavaScript is left to Node.
 * The hooks are registered once, when the first such file is loaded, so a command that loads none
 * (or `import 'dbtide'` from an application) pays nothing for them. dbtide's own TypeScript sources
 * (a checkout, where tsx runs the CLI) are left to the loader already running them.
 */
export async function importUserModule(path: string): Promise<unknown> {
  ensureHooks();
  return import(pathToFileURL(path).href);
}

let registered = false;

function ensureHooks(): void {
  if (registered) return;
  registered = true;
  const own = new URL('../', import.meta.url);
  // The package's entry as this module was loaded: compiled (dist/src/index.js) or its source.
  const entry = new URL(`index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, own).href;
  const ownSources = [new URL('../', own).href].map((root) => [`${root}src/`, `${root}dialects/`]).flat();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { entry, ownSources, esbuild: import.meta.resolve('esbuild') } });
}

/**
 * The hooks, as JavaScript: they run on Node's loader thread, which cannot read this file's
 * TypeScript where no TypeScript loader runs (the compiled package, a test runner).
 */
const HOOKS = String.raw`
let options;
let esbuild;
const TS = /\.(?:m|c)?ts$/;
export async function initialize(data) {
  options = data;
}
const ours = (url) => options.ownSources.some((root) => url.startsWith(root));
export async function resolve(specifier, context, next) {
  // Through the rest of the chain: the loader running dbtide's own sources knows them by how it resolved them.
  if (specifier === 'dbtide') return next(options.entry, context);
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = /^\.\.?\//.test(specifier) && context.parentURL && !ours(context.parentURL);
    if (!relative || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const candidate of [specifier.replace(/\.(m|c)?js$/, '.$1ts'), specifier + '.ts']) {
      if (candidate === specifier) continue;
      try {
        return await next(candidate, context);
      } catch {}
    }
    throw error;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname) || ours(url)) return next(url, context);
  esbuild ??= await import(options.esbuild);
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL(url), 'utf8');
  const file = new URL(url).pathname;
  try {
    const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'esm', sourcemap: 'inline', sourcefile: file, target: 'node20' });
    return { format: 'module', source: code, shortCircuit: true };
  } catch (error) {
    // The file's own line, where the error is reported: esbuild's message names it, its stack does not.
    const at = error?.errors?.[0]?.location;
    if (!at) throw error;
    const syntax = new SyntaxError(error.errors[0].text);
    syntax.stack = 'SyntaxError: ' + error.errors[0].text + '\n    at ' + file + ':' + at.line + ':' + (at.column + 1);
    throw syntax;
  }
}
`;
