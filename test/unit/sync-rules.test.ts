import { describe, expect, it } from 'vitest';
import { syncRules } from '../../src/dialect-kit/sync-rules.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';

const spec: SyncSpec = { table: 'p', trigger: 'tg', forward: { full: "a || ' ' || b" }, backward: { a: 'f(full)', b: 'g(full)' }, fillOnly: false, sources: ['a', 'b'] };

describe('syncRules: which way a write goes, for every dialect', () => {
  it('with both directions: an INSERT without the new columns goes forward, else backward; an UPDATE by what it changed', () => {
    expect(syncRules(spec)).toEqual({
      insert: [{ when: { test: 'all-null', columns: ['full'] }, go: 'forward' }, { when: { test: 'always' }, go: 'backward' }],
      update: [{ when: { test: 'changed', columns: ['full'] }, go: 'backward' }, { when: { test: 'changed', columns: ['a', 'b'] }, go: 'forward' }],
      updateOf: null,
    });
  });

  it('without a way back: only forward, and only updates of the old columns need the trigger', () => {
    expect(syncRules({ ...spec, backward: {} })).toEqual({
      insert: [{ when: { test: 'all-null', columns: ['full'] }, go: 'forward' }],
      update: [{ when: { test: 'changed', columns: ['a', 'b'] }, go: 'forward' }],
      updateOf: ['a', 'b'],
    });
  });

  it('without known old columns: an UPDATE leaving the new columns alone goes forward', () => {
    expect(syncRules({ ...spec, backward: {}, sources: [] }).update).toEqual([{ when: { test: 'unchanged', columns: ['full'] }, go: 'forward' }]);
    expect(syncRules({ ...spec, backward: {}, sources: [] }).updateOf).toBeNull();
  });

  it('a fill only fills what is still empty, on either event', () => {
    const fill = [{ when: { test: 'all-null', columns: ['full'] }, go: 'forward' }];
    expect(syncRules({ ...spec, fillOnly: true, backward: {}, sources: [] })).toEqual({ insert: fill, update: fill, updateOf: null });
  });
});
