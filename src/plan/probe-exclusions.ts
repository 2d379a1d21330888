import type { Connection, Dialect } from '../dialect.js';
import type { Change } from '../diff/changes.js';
import { DbtideError } from '../errors.js';
import { readIndexKeys } from '../model/index-entry.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';
import type { DeclaredSchema, ExclusionModel, TableModel } from '../model/schema-model.js';
import { strategyMethod } from './strategy-methods.js';

/** An exclusion constraint the server refused to build, with its own words. */
export interface RefusedExclusion {
  table: string;
  exclusion: ExclusionModel;
  reason: string;
}

const PROBE_TABLE = `${OWN_TABLE_PREFIX}probe_exclusion`;

/** Thrown to roll the probe's transaction back once the server has answered. */
class ProbeDone extends Error {
  constructor(readonly reason: string | null) {
    super('probe done');
  }
}

/**
 * Whether the server can build each exclusion constraint the changes add: an operator class the
 * method lacks for a type (`=` on an integer under gist needs the btree_gist extension), an
 * unknown operator, a bad predicate. EXPLAIN cannot ask this, so the constraint is added to an
 * empty table of the declared columns in a transaction that is always rolled back: nothing is
 * kept and no existing table is touched. Only where DDL is transactional and the server has
 * exclusion constraints (elsewhere the release was refused already). `setup` creates first what the
 * plan creates and the columns' types may name (enum types, domains).
 */
export async function probeExclusions(
  conn: Connection,
  dialect: Pick<Dialect, 'compiler'>,
  declared: DeclaredSchema,
  changes: Change[],
  setup: string[],
): Promise<RefusedExclusion[]> {
  const wanted = changes.flatMap((c): { table: TableModel; exclusion: ExclusionModel }[] => {
    if (c.kind === 'create-table') return (c.table.exclusions ?? []).map((exclusion) => ({ table: c.table, exclusion }));
    if (c.kind === 'add-exclusion') return [{ table: declared.model.tables[c.table]!, exclusion: c.exclusion }];
    return [];
  });
  const refused: RefusedExclusion[] = [];
  for (const { table, exclusion } of wanted) {
    const reason = await probeOne(conn, dialect, table, exclusion, setup);
    if (reason !== null) refused.push({ table: table.name, exclusion, reason });
  }
  return refused;
}

async function probeOne(conn: Connection, dialect: Pick<Dialect, 'compiler'>, table: TableModel, exclusion: ExclusionModel, setup: string[]): Promise<string | null> {
  const { compiler } = dialect;
  const columns = table.columns.map((c) => ({ ...c, default: null, identity: null, nullable: true }));
  const probe: TableModel = { name: PROBE_TABLE, columns, primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
  const keys = readIndexKeys(exclusion.columns, columns.map((c) => c.name));
  try {
    await conn.transaction(async () => {
      for (const sql of setup) await conn.query(sql);
      await conn.query(compiler.createTable(probe).sql);
      try {
        // Under a name of its own: the constraint's index would clash with the live one's.
        const probed = { ...exclusion, name: `${PROBE_TABLE}_key` };
        await conn.query(strategyMethod(compiler, 'addExclusion', 'exclusion constraint')(PROBE_TABLE, probed, keys).sql);
      } catch (error) {
        throw new ProbeDone(error instanceof Error ? error.message : String(error));
      }
      throw new ProbeDone(null);
    });
  } catch (error) {
    if (error instanceof ProbeDone) return error.reason;
    throw error;
  }
  return null;
}

/** One error for every refused constraint: where it was declared, and why the server refused it. */
export function refusedExclusionsError(release: string, server: string, refused: RefusedExclusion[]): DbtideError {
  const lines = refused.map(({ table, exclusion: x, reason }) =>
    `  tables.${table}.exclusions.${x.name}: ${x.columns.map((c, i) => `${c} WITH ${x.operators[i]}`).join(', ')} using ${x.using}\n    the server says: ${reason}`);
  return new DbtideError(
    `release ${release} declares ${refused.length} exclusion constraint(s) ${server} cannot build; nothing was changed:\n${lines.join('\n')}`,
    1,
    'an `=` element on a scalar column under gist needs the btree_gist extension, which dbtide does not create: ask for CREATE EXTENSION btree_gist ' +
      '(or a raw SQL step in an earlier release), or name an operator class and operator the server has; then run the command again',
  );
}
