import { DIALECT_NAMES, dialectNamed } from '../../dialects/registry.js';
import type { PlanTarget } from '../engine.js';
import { DbtideError } from '../errors.js';

/** A dialect at one server version, chosen by name (`db2`, `db2@11.1`, `mysql@10.11`) rather than by a URL. */
export interface OfflineTarget extends PlanTarget {
  /** As the operator wrote it, for messages. */
  spec: string;
}

/** Comma-separated; `all` is every dialect at its latest version. */
export async function offlineTargets(spec: string): Promise<OfflineTarget[]> {
  const named = spec.split(',').map((one) => one.trim()).filter((one) => one !== '');
  return Promise.all(named.flatMap((one) => (one.toLowerCase() === 'all' ? DIALECT_NAMES : [one])).map((one) => offlineTarget(one)));
}

export async function offlineTarget(spec: string): Promise<OfflineTarget> {
  const [name = '', version] = spec.split('@');
  const dialect = await dialectNamed(name.toLowerCase());
  const wanted = version === undefined || version === '' ? dialect.offline.latest : version;
  try {
    return { spec, dialect, caps: dialect.capabilities(dialect.offline.spell(wanted)) };
  } catch (error) {
    throw new DbtideError(`--dialect ${spec}: ${(error as Error).message}`, 1, `name a version dbtide supports, e.g. ${name}@${dialect.offline.latest}, or leave the version out (${DIALECT_NAMES.join(', ')})`);
  }
}
