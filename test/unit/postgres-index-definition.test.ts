import { describe, expect, it } from 'vitest';
import { definitionKeys, keyWordsOf } from '../../dialects/postgres/index-definition.js';

describe('definitionKeys: the key list of pg_get_indexdef', () => {
  it.each<[string, string[]]>([
    ['CREATE INDEX i ON public.t USING btree (a)', ['a']],
    ['CREATE UNIQUE INDEX i ON public.t USING btree (a, b DESC NULLS LAST)', ['a', 'b DESC NULLS LAST']],
    ['CREATE INDEX i ON public.t USING btree (lower((email)::text) text_pattern_ops, id) INCLUDE (x) WHERE (a > 0)', ['lower((email)::text) text_pattern_ops', 'id']],
    ['CREATE INDEX "i (x" ON "s(".")t, y" USING btree ("a, b" COLLATE "C")', ['"a, b" COLLATE "C"']],
    [`CREATE INDEX i ON public.t USING btree (COALESCE(a, ')'::text), b)`, [`COALESCE(a, ')'::text)`, 'b']],
    [`CREATE INDEX i ON public.t USING gist (t gist_trgm_ops (siglen='32'))`, [`t gist_trgm_ops (siglen='32')`]],
    ['CREATE INDEX i ON ONLY public.t USING btree (a)', ['a']],
  ])('%s', (definition, keys) => {
    expect(definitionKeys(definition)).toEqual(keys);
  });

  it('fails on text that is no index definition', () => {
    expect(() => definitionKeys('CREATE INDEX i ON public.t USING btree')).toThrow(/no key list/);
  });
});

describe('keyWordsOf: what the definition adds after each key', () => {
  it('leaves each key its collation, operator class and order', () => {
    const definition = 'CREATE INDEX i ON public.t USING btree ("Display Name" COLLATE "C" text_pattern_ops DESC NULLS LAST, lower(x) text_pattern_ops, id)';
    expect(keyWordsOf(definition, ['"Display Name"', 'lower(x)', 'id'], 'i')).toEqual([' COLLATE "C" text_pattern_ops DESC NULLS LAST', ' text_pattern_ops', '']);
  });

  it('fails, naming the index, when a key is not where the definition has it', () => {
    expect(() => keyWordsOf('CREATE INDEX i ON public.t USING btree (a)', ['b'], 'i')).toThrow(/index "i": key 1 \(b\)/);
  });
});
