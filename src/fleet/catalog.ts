import { withDatabase } from '../engine.js';
import { checkFleet, targetUrl, type FleetCatalog, type FleetTarget } from './fleet-file.js';

/**
 * The targets a catalog database lists: its query's rows of `name`, `url` and optionally `group`
 * (the API database's table of cells). Checked as a fleet file's targets are, naming the query.
 */
export async function catalogTargets(catalog: FleetCatalog): Promise<FleetTarget[]> {
  const url = targetUrl({ name: 'catalog', ...catalog });
  const rows = await withDatabase(url, { name: 'catalog' }, (db) => db.conn.query<Record<string, unknown>>(catalog.query));
  const targets = rows.map((r) => ({ name: r.name, url: r.url, ...(r.group === null || r.group === undefined ? {} : { group: r.group }) }));
  return checkFleet({ targets }, `catalog query "${catalog.query}"`).targets;
}

/** A fleet file's targets and its catalog's, in that order. */
export async function fleetTargets(fleet: { targets: FleetTarget[]; catalog?: FleetCatalog }): Promise<FleetTarget[]> {
  const listed = fleet.catalog ? await catalogTargets(fleet.catalog) : [];
  return checkFleet({ targets: [...fleet.targets, ...listed] }, 'the fleet file with its catalog').targets;
}
