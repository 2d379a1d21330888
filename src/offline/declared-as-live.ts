import type { Capabilities } from '../dialect.js';
import { noOwnedObjects } from '../model/transition.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import { uniqueIndexesAsKeys } from '../model/unique-keys.js';

/** A fresh install: nothing but an empty schema. */
export const emptyLive = (): SchemaModel => ({ tables: {}, owned: noOwnedObjects() });

/**
 * A database that went through a release's three phases, as planning without a server takes it:
 * what the release declares, as that server would show it (MySQL reads a unique index back as a
 * unique key), and none of dbtide's temporary objects (its contract removed them).
 */
export const liveAfter = (release: DeclaredSchema, caps: Pick<Capabilities, 'uniqueIndexIsKey'>): SchemaModel => ({
  ...(caps.uniqueIndexIsKey ? uniqueIndexesAsKeys(release) : release).model,
  owned: noOwnedObjects(),
});
