/**
 * Test runner settings: every suite under test/, each file in its own forked process (native
 * sqlite, real servers). The HTTP suites run a second time as the project `postgres`, on a hub
 * in the run's throwaway PostgreSQL cluster (test/postgres-setup.ts), with the same assertions.
 */
import { defineConfig } from 'vitest/config';

const run = { pool: 'forks', testTimeout: 30_000, hookTimeout: 30_000 } as const;

export default defineConfig({
  test: {
    // Run once for the whole run (the root project), not once per project.
    globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
    reporters: ['default', './test/reporters/plain-summary.ts'],
    maxWorkers: 2,
    projects: [
      { test: { name: 'main', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], ...run } },
      { test: { name: 'postgres', include: ['test/integration/api-*.test.ts'], env: { S15N_TEST_ENGINE: 'postgres' }, ...run } },
    ],
  },
});
