import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';

/** Every exclusion constraint the release declares, with where. */
const declaredExclusions = (declared: DeclaredSchema): string[] =>
  Object.values(declared.model.tables).flatMap((t) => (t.exclusions ?? []).map((x) => `tables.${t.name}.exclusions.${x.name}: an exclusion constraint`));

/** Every deferrable key, foreign key and exclusion constraint the release declares, with where. */
const declaredDeferrable = (declared: DeclaredSchema): string[] =>
  Object.values(declared.model.tables).flatMap((t) => {
    const path = `tables.${t.name}`;
    const found = (list: string, objects: { name: string; deferrable?: string }[]) =>
      objects.flatMap((o) => (o.deferrable ? [`${path}.${list}.${o.name}: deferrable: '${o.deferrable}'`] : []));
    return [
      ...(t.primaryKey?.deferrable ? [`${path}.primaryKey: deferrable: '${t.primaryKey.deferrable}'`] : []),
      ...found('uniques', t.uniques),
      ...found('foreignKeys', t.foreignKeys),
      ...found('exclusions', t.exclusions ?? []),
    ];
  });

/**
 * A server without exclusion or deferrable constraints would fail the CREATE or ALTER mid-phase
 * (or, for DEFERRABLE, not parse it), so a release declaring one is refused before anything runs.
 */
export const unsupportedConstraintFeatures = (declared: DeclaredSchema, caps: Capabilities): string[] => [
  ...(caps.exclusionConstraints ? [] : declaredExclusions(declared)),
  ...(caps.deferrableConstraints ? [] : declaredDeferrable(declared)),
];

export function refuseConstraintFeatures(declared: DeclaredSchema, caps: Capabilities): void {
  const found = unsupportedConstraintFeatures(declared, caps);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares constraints ${caps.server} does not have; nothing was changed:\n${found.map((f) => `  ${f}`).join('\n')}`,
    1,
    'remove them from the release for this server: a constraint there is checked at each statement, never deferred; an exclusion constraint can be kept by the application, or by a unique key where its operators are all `=`',
  );
}
