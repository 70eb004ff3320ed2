/** The test run's PostgreSQL cluster (test/postgres-setup.ts): a fresh database per caller, and the engine the HTTP suites run on. */
import { randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';
import { type ClusterInfo, clusterUrl, createDatabase, dropDatabase } from '../../scripts/postgres/cluster.js';

export const cluster: ClusterInfo | null = inject('postgres');

/** `describe` when the run has a cluster, else `describe.skip` (the setup said why). */
export const describePostgres = cluster ? describe : describe.skip;

export type TestEngine = 'sqlite' | 'postgres';

/** The engine of the suites that run on both (vitest.config.ts's project `postgres` sets it). */
export const TEST_ENGINE: TestEngine = process.env.S15N_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function requireCluster(): ClusterInfo {
  if (!cluster) throw new Error('this test needs PostgreSQL: no cluster was started (no initdb found)');
  return cluster;
}

/** A new, empty database owned by the s15n role (as an operator would make it). */
export async function freshDatabase(): Promise<TestDatabase> {
  const info = requireCluster();
  const name = `s15n_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(info, name);
  return { name, url, drop: () => dropDatabase(info, name) };
}

/** The URL of `database` with another password (a refused login). */
export function urlWithPassword(database: string, password: string): string {
  return clusterUrl(requireCluster(), database, password);
}
