import { planWithoutServer } from '../engine.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { Plan } from '../plan/step.js';
import { emptyLive, liveAfter } from './declared-as-live.js';
import type { OfflineTarget } from './dialect-spec.js';

/** The schema the plan names where a version schema is derived from one (`<schema>_<release>`). */
export const OFFLINE_BASE_SCHEMA = 'app';

/**
 * The plan a server of the target's dialect and version would make: for a fresh install when
 * `from` is absent, else for the upgrade from the database that release left.
 */
export function planOffline(target: OfflineTarget, declared: DeclaredSchema, from?: DeclaredSchema, base = OFFLINE_BASE_SCHEMA): Plan {
  return planWithoutServer(target, declared, from ? liveAfter(from, target.caps) : emptyLive(), base).plan;
}
