import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Release files import 'dbtide': in the tests, the sources, not a build (package.json exports dist/).
  resolve: { alias: { dbtide: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/postgres-server.ts', 'test/support/mariadb-server.ts', 'test/support/mysql-container.ts', 'test/support/db2-container.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files each create their own databases and mostly wait on the servers: on two
    // cores three workers finish the suite in 4.7 min against 6.5 min with two (four: 5 min).
    maxWorkers: 3,
    reporters: ['default'],
  },
});
