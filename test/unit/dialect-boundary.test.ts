/**
 * A dialect is written only in dialects/<name>/: its files reach the core through the interface
 * (src/dialect.ts), the data types (src/model/) and the helpers kept for dialect authors
 * (src/dialect-kit/), never through the core's inner workings; no dialect imports another; and the
 * core reaches dialects only through the registry.
 */
import { describe, expect, it } from 'vitest';
import { importGraph } from '../support/import-graph.js';

/** Core files a dialect may import besides src/model/ and src/dialect-kit/, each with its reason. */
const CORE_FOR_DIALECTS = [
  'src/dialect.ts', // the interface a dialect implements
  'src/errors.ts', // DbtideError: an error with a hint and an exit code
  'src/redact.ts', // passwords never reach a message
  'src/connection-url.ts', // the URL parser every command shares
  'src/declaration/names.ts', // the name-length rule that dbtide's own objects follow everywhere
];

const dialectOf = (file: string) => /^dialects\/([^/]+)\//.exec(file)?.[1];

const mayImport = (from: string, to: string) =>
  dialectOf(to) === dialectOf(from) || to.startsWith('src/model/') || to.startsWith('src/dialect-kit/') || CORE_FOR_DIALECTS.includes(to);

describe('the boundary between the core and the dialects', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));

  it('a dialect imports its own folder, the interface, the model and the dialect kit only', () => {
    const dialectEdges = edges.filter((e) => dialectOf(e.from) !== undefined);
    expect(dialectEdges.length).toBeGreaterThan(50);
    expect(dialectEdges.filter((e) => !mayImport(e.from, e.to)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the core and the dialect kit reach dialects only through the registry', () => {
    const intoDialects = edges.filter((e) => e.from.startsWith('src/') && e.to.startsWith('dialects/'));
    expect(intoDialects.filter((e) => e.to !== 'dialects/registry.ts').map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the dialect kit depends on nothing but the interface, the model and the shared basics', () => {
    const kitEdges = edges.filter((e) => e.from.startsWith('src/dialect-kit/'));
    expect(kitEdges.filter((e) => !(e.to.startsWith('src/dialect-kit/') || e.to.startsWith('src/model/') || CORE_FOR_DIALECTS.includes(e.to))).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });
});
