/** Test runner settings: every suite under test/, each file in its own forked process (native sqlite, real servers). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
    reporters: ['default', './test/reporters/plain-summary.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
});
