import { redactUrl } from '../../redact.js';
import type { PullResult } from '../../api.js';
import { EMBEDDED_DIR } from '../resolve.js';
import { INITIAL_RELEASE, STARTER_TABLE, type ConfigUrl } from './sources.js';

/** A database the user named for init, and how. */
export interface Named {
  url: string;
  source: '--url' | 'DATABASE_URL';
}

/** What init wrote, paths as the user's working directory sees them. */
export interface Written {
  configFile: string;
  releaseFile: string;
  named: Named | undefined;
  pulled: PullResult | undefined;
  /** The pull written as the first release; undefined when the example was. */
  adopted: PullResult | undefined;
  url: ConfigUrl;
}

export function jsonReport({ configFile, releaseFile, named, adopted, url }: Written) {
  return {
    config: configFile,
    release: releaseFile,
    from: adopted ? 'database' : 'example',
    tables: adopted ? Object.keys(adopted.model.tables) : [STARTER_TABLE],
    unsupported: adopted?.model.unsupported?.length ?? 0,
    next: nextSteps(named, url, adopted !== undefined, releaseFile),
  };
}

export function textReport({ configFile, releaseFile, named, pulled, adopted, url }: Written): string[] {
  const from = named ? redactUrl(named.url) : '';
  const unsupported = adopted?.model.unsupported?.length ?? 0;
  return [
    adopted
      ? `wrote ${releaseFile}: the ${Object.keys(adopted.model.tables).length} table(s) of ${from}, as dbtide pull declares them`
      : `wrote ${releaseFile}: one example table, ${STARTER_TABLE}${pulled ? ` (${from} holds no tables)` : ''}`,
    `wrote ${configFile}${url.kind === 'env' ? ': it reads the database URL from DATABASE_URL' : ''}`,
    ...(url.kind === 'env' && url.masked ? ['the password in --url is written to no file: set DATABASE_URL to the URL before the commands below'] : []),
    ...(unsupported > 0 ? [`${unsupported} object(s) dbtide does not model are listed at the top of ${releaseFile} and kept as is`] : []),
    'next:',
    ...nextSteps(named, url, adopted !== undefined, releaseFile).map((step) => `  ${step}`),
  ];
}

function nextSteps(named: Named | undefined, url: ConfigUrl, adopted: boolean, releaseFile: string): string[] {
  const env =
    url.kind === 'literal' || named?.source === 'DATABASE_URL'
      ? []
      : url.masked
        ? [`export DATABASE_URL='${url.masked}'   # with the real password`]
        : [`export DATABASE_URL=postgres://user@host:5432/db   # or add --url pglite:${EMBEDDED_DIR} to each command: an embedded database`];
  if (adopted) {
    return [...env, 'npx dbtide check    # "up to date": the release declares the database as it is', `# for the next change, add a release that extends ${INITIAL_RELEASE}, then:`, 'npx dbtide plan', 'npx dbtide expand'];
  }
  return [...env, `# edit ${releaseFile}: declare your tables, then:`, 'npx dbtide plan', 'npx dbtide expand', 'npx dbtide check'];
}
