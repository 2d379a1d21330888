import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';

/** Every exclusion constraint the release declares, with where. */
const declaredExclusions = (declared: DeclaredSchema): string[] =>
  Object.values(declared.model.tables).flatMap((t) => (t.exclusions ?? []).map((x) => `tables.${t.name}.exclusions.${x.name}: an exclusion constraint`));

/**
 * A server without exclusion constraints would fail the CREATE or ALTER mid-phase, so a release
 * declaring one is refused before anything runs.
 */
export function refuseConstraintFeatures(declared: DeclaredSchema, caps: Capabilities): void {
  const found = caps.exclusionConstraints ? [] : declaredExclusions(declared);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares constraints ${caps.server} does not have; nothing was changed:\n${found.map((f) => `  ${f}`).join('\n')}`,
    1,
    'remove them from the release for this server (an exclusion constraint can be kept by the application, or by a unique key where its operators are all `=`)',
  );
}
