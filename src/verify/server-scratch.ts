import { randomBytes } from 'node:crypto';
import type { ScratchDatabase } from '../dialect.js';

export interface ScratchServer {
  /** The server's identifier limit. */
  maxName: number;
  create(name: string): Promise<void>;
  drop(name: string): Promise<void>;
}

/** A database `dbtide_<label>_<6 hex>` on the server `url` names; the URL of the scratch database differs only in its path. */
export async function scratchOnServer(url: string, label: string, server: ScratchServer): Promise<ScratchDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const safe = label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `dbtide_${safe}`.slice(0, server.maxName - suffix.length - 1) + `_${suffix}`;
  await server.create(name);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  let dropped = false;
  return {
    url: scratch.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await server.drop(name);
    },
  };
}
