/**
 * A throwaway PostgreSQL cluster for the tests and the bench: initdb in a temp dir, a unix socket
 * in that dir (no TCP port), durability off (fsync, synchronous_commit, full_page_writes), run as
 * the `postgres` user when we are root (initdb refuses root). Its superuser logs in over the
 * socket without a password; `s15n`, the role s15n itself uses, needs one, like a real hub.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export const CLUSTER_ROLE = 's15n';
export const CLUSTER_PASSWORD = 's15n-test-pw';
const SUPERUSER = 'postgres';
const PORT = 5432;

export interface ClusterInfo {
  /** The directory holding the unix socket (and the data dir). */
  socketDir: string;
  port: number;
  superuser: string;
  role: string;
  password: string;
}

/** initdb, pg_ctl and postgres: $S15N_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else initdb's dir on PATH; null when absent. */
export function postgresBinDir(): string | null {
  const given = process.env.S15N_PG_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? given : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(debian, v, 'bin', 'initdb'))) return join(debian, v, 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path.slice(0, path.lastIndexOf('/')) : null;
}

/** Runs a server binary, as `postgres` through runuser when we are root. */
function runAs(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, full] = asRoot ? ['runuser', ['-u', SUPERUSER, '--', bin, ...args]] : [bin, args];
  try {
    execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`${bin.split('/').pop()} failed: ${e.stderr?.toString().trim() || e.message}`, { cause: error });
  }
}

function ownedByPostgres(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

export interface Cluster extends ClusterInfo {
  stop(): void;
}

/**
 * Starts a cluster in a new temp dir (about a second on 2 cores); `stop` ends it and removes the
 * dir. `durable` keeps PostgreSQL's defaults (fsync, synchronous_commit): what the bench's commit
 * figures need; the tests do without.
 */
export async function startCluster(bin: string, opts: { durable?: boolean } = {}): Promise<Cluster> {
  // Short: a unix socket path must stay under 108 bytes.
  const dir = mkdtempSync('/tmp/s15n-pg-');
  ownedByPostgres(dir);
  const data = join(dir, 'data');
  const stop = () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      try {
        runAs(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
      } catch {
        // Already gone: the dir goes anyway.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    runAs(join(bin, 'initdb'), ['-D', data, '--no-sync', '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale', 'C']);
    // The superuser over the socket only; every other role by password, so a wrong one is refused.
    writeFileSync(join(data, 'pg_hba.conf'), `local all ${SUPERUSER} trust\nlocal all all scram-sha-256\n`);
    const fast = opts.durable ? '' : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const options = `-k ${dir} -p ${PORT} -c listen_addresses='' ${fast} -c max_connections=300`;
    runAs(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-l', join(dir, 'server.log'), '-o', options]);
    const admin = new pg.Client({ host: dir, port: PORT, user: SUPERUSER, database: 'postgres' });
    await admin.connect();
    try {
      // NOSUPERUSER NOCREATEDB: s15n needs neither; each database is made for it by the superuser.
      await admin.query(`CREATE ROLE ${CLUSTER_ROLE} LOGIN NOSUPERUSER NOCREATEDB PASSWORD '${CLUSTER_PASSWORD}'`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { socketDir: dir, port: PORT, superuser: SUPERUSER, role: CLUSTER_ROLE, password: CLUSTER_PASSWORD, stop };
}

/** The URL s15n connects with: the s15n role and its password, over the cluster's socket. */
export function clusterUrl(info: ClusterInfo, database: string, password = info.password): string {
  return `postgres://${info.role}:${encodeURIComponent(password)}@/${database}?host=${encodeURIComponent(info.socketDir)}&port=${info.port}`;
}

/** Makes a new database owned by the s15n role (as the operator would) and answers its URL. */
export async function createDatabase(info: ClusterInfo, name: string): Promise<string> {
  const admin = new pg.Client({ host: info.socketDir, port: info.port, user: info.superuser, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER ${info.role}`);
  } finally {
    await admin.end();
  }
  return clusterUrl(info, name);
}

/** Drops a database, closing its connections first (PostgreSQL 13+). */
export async function dropDatabase(info: ClusterInfo, name: string): Promise<void> {
  const admin = new pg.Client({ host: info.socketDir, port: info.port, user: info.superuser, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** CPU seconds (user + system) used so far by the cluster: the postmaster, its reaped children and the live ones (Linux /proc). */
export function clusterCpuSeconds(info: ClusterInfo): number {
  const USER_HZ = 100;
  // The fields after the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const fields = (pid: string | number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  };
  const postmaster = Number(readFileSync(join(info.socketDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const own = fields(postmaster);
  let ticks = own[11]! + own[12]! + own[13]! + own[14]!;
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const f = fields(entry);
      if (f[1] === postmaster) ticks += f[11]! + f[12]!;
    } catch {
      // The process ended while we read: its time is in the postmaster's cutime now.
    }
  }
  return ticks / USER_HZ;
}
