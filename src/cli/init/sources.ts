import { quote } from '../../declaration/render-declaration.js';
import { EMBEDDED_DIR } from '../resolve.js';

/** The first release's name and file name. */
export const INITIAL_RELEASE = '001-initial';

/** How the config file names the database. */
export type ConfigUrl =
  | { kind: 'literal'; url: string }
  /** `--url` carried a password: the file reads DATABASE_URL and shows the URL with the password masked. */
  | { kind: 'env'; masked?: string };

export interface ConfigOptions {
  url: ConfigUrl;
  migrations: string;
  databaseSchema?: string;
}

/** `dbtide.config.ts` as README.md ("Configuration") shows it, with the keys this project needs. */
export function configSource({ url, migrations, databaseSchema }: ConfigOptions): string {
  const urlLines =
    url.kind === 'literal'
      ? [`  url: ${quote(url.url)}, // DATABASE_URL and --url take precedence`]
      : [
          url.masked
            ? `  // ${url.masked}: its password is written to no file; set DATABASE_URL to the URL with it`
            : `  // set DATABASE_URL (postgres://user@host:5432/db, mysql://...), or pass --url; --url pglite:${EMBEDDED_DIR} is an embedded database`,
          '  url: process.env.DATABASE_URL,',
        ];
  return [
    "import { defineConfig } from 'dbtide';",
    '',
    'export default defineConfig({',
    ...urlLines,
    `  migrations: ${quote(migrations)},`,
    ...(databaseSchema ? [`  databaseSchema: ${quote(databaseSchema)},`] : []),
    '});',
    '',
  ].join('\n');
}

/** The table the starter release declares, named in what init prints. */
export const STARTER_TABLE = 'accounts';

/** A first release for a project without a database yet: portable to every dialect dbtide supports. */
export function starterRelease(release: string): string {
  return `// The first release: the schema dbtide makes the database match. Replace the example table
// with your own; README.md ("Declaring a schema") lists types, keys, indexes and transitions.
// A later change goes into a new file (002-<name>.ts) that extends this one.
import { defineSchema, sql } from 'dbtide';

export default defineSchema({
  release: ${quote(release)},
  tables: {
    ${STARTER_TABLE}: {
      columns: {
        id: { type: 'bigint', identity: true },
        email: { type: 'varchar(320)', nullable: false },
        name: 'varchar(200)', // shorthand: a nullable column
        created_at: { type: 'timestamp', nullable: false, default: sql('CURRENT_TIMESTAMP') },
      },
      primaryKey: ['id'],
      uniques: [{ columns: ['email'] }],
    },
  },
});
`;
}
