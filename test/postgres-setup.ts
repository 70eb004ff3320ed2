/**
 * One throwaway PostgreSQL cluster per test run (scripts/postgres/cluster.ts), when PostgreSQL's
 * server binaries are installed; each test file makes its own database in it. Without them the
 * PostgreSQL tests are skipped and say so, except under CI, where that is a failure (`.ci/run`
 * installs the Debian package).
 */
import type { TestProject } from 'vitest/node';
import { type ClusterInfo, postgresBinDir, startCluster } from '../scripts/postgres/cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: ClusterInfo | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const bin = postgresBinDir();
  if (!bin) {
    if (process.env.CI) throw new Error('PostgreSQL server binaries (initdb) are missing: install the postgresql package (.ci/run does)');
    process.stderr.write('note: no PostgreSQL server binaries (initdb); the PostgreSQL tests are skipped\n');
    project.provide('postgres', null);
    return undefined;
  }
  const cluster = await startCluster(bin);
  const { stop, ...info } = cluster;
  project.provide('postgres', info);
  return stop;
}
