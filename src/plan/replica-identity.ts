import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';

/** Every table of the release that declares a replica identity other than the server's default. */
export function declaredReplicaIdentities(declared: DeclaredSchema): string[] {
  return Object.values(declared.model.tables).flatMap((table) => {
    const identity = table.replicaIdentity;
    if (identity === undefined) return [];
    return [`tables.${table.name}.replicaIdentity: ${typeof identity === 'string' ? `"${identity}"` : `{ index: "${identity.index}" }`}`];
  });
}

/**
 * A server without replica identities (MySQL's binary log always carries whole rows) cannot do
 * what the release declares: it is refused before anything runs, not skipped.
 */
export function refuseReplicaIdentity(declared: DeclaredSchema, server: string): void {
  const found = declaredReplicaIdentities(declared);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares replica identities, which ${server} does not have; nothing was changed:\n` +
      found.map((f) => `  ${f}`).join('\n'),
    1,
    'remove replicaIdentity from each table listed (the binary log of MySQL and MariaDB carries what binlog_row_image says); ' +
      'keep replica identities for releases that run on PostgreSQL',
  );
}
