import { noOwnedObjects } from '../model/transition.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';

/** A fresh install: nothing but an empty schema. */
export const emptyLive = (): SchemaModel => ({ tables: {}, owned: noOwnedObjects() });

/**
 * A database that went through a release's three phases, as planning without a server takes it:
 * what the release declares, and none of dbtide's temporary objects (its contract removed them).
 */
export const liveAfter = (release: DeclaredSchema): SchemaModel => ({ ...release.model, owned: noOwnedObjects() });
