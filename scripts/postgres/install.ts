/**
 * Installs PostgreSQL's server binaries when they are missing and this is a Debian-like machine
 * where we are root (a CI container): the tests need a real PostgreSQL, and `npm test` must work
 * on a clean checkout whether or not `.ci/run` ran first. Elsewhere it does nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when it ran apt-get and the install succeeded. Progress goes to stderr. */
export function installPostgresIfRoot(): boolean {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return false;
  process.stderr.write('note: PostgreSQL server binaries missing; installing the Debian package postgresql\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', args, { env, stdio: ['ignore', process.stderr, process.stderr] }).status === 0;
  return run(['update']) && run(['install', '-y', '--no-install-recommends', 'postgresql']);
}
