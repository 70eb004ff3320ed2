/**
 * Remotes: the other instances this one clones from (table `remotes`), their credentials, and
 * the client that talks to one of them.
 */
import { BadInput, Conflict, NotFound } from '../../shared/errors.js';
import type { Store } from '../../server/store/index.js';
import { RemoteClient, type RemoteClientOptions } from '../remote/client.js';
import { forgetPassword, hasStoredPassword, passwordEnvName, passwordOf, storePassword } from './credentials.js';
import { ReplicaState } from './replica-state.js';

export interface Remote {
  name: string;
  url: string;
  user: string;
  createdAt: string;
}

export interface RemoteListing extends Remote {
  /** Where the password comes from; the password itself is never shown. */
  password: 'env' | 'file' | 'missing';
  /** Local names of the trackers cloned from this remote. */
  clones: string[];
}

interface RemoteRow {
  name: string;
  url: string;
  user_name: string;
  created_at: string;
}

const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

function toRemote(row: RemoteRow): Remote {
  return { name: row.name, url: row.url, user: row.user_name, createdAt: row.created_at };
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname.toLowerCase().endsWith('.localhost');
}

/**
 * Checks a remote's base URL and returns it without trailing slashes, plus a warning when it
 * would send Basic auth unencrypted over a network.
 */
export function checkRemoteUrl(text: string): { url: string; warning: string | null } {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BadInput(`remote URL must be an absolute http:// or https:// URL, got ${JSON.stringify(text)}`, [
      { field: 'url', reason: 'expected http(s)://HOST[:PORT][/PATH]' },
    ]);
  }
  if (url.username !== '' || url.password !== '') {
    // A password in the URL would end up in the database and in listings.
    throw new BadInput('remote URL must not hold credentials; give the user with --user and the password with --password-stdin', [
      { field: 'url', reason: 'credentials in the URL' },
    ]);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new BadInput(`remote URL must be the instance's base URL, without query or fragment; got ${JSON.stringify(text)}`, [
      { field: 'url', reason: 'query or fragment' },
    ]);
  }
  const clean = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const warning =
    url.protocol === 'http:' && !isLoopback(url.hostname)
      ? `${clean} uses plain http to a host that is not this machine: Basic auth is sent in clear; use https`
      : null;
  return { url: clean, warning };
}

function checkName(name: string): void {
  if (!REMOTE_NAME.test(name)) {
    throw new BadInput(`invalid remote name ${JSON.stringify(name)}: letters, digits, '_', '-' and '.', starting with a letter, at most 64`, [
      { field: 'name', reason: 'invalid remote name' },
    ]);
  }
}

export function getRemote(store: Store, name: string): Remote {
  const row = store.db.prepare<[string], RemoteRow>('SELECT * FROM remotes WHERE name = ?').get(name);
  if (!row) throw new NotFound(`unknown remote "${name}"; see \`s15n remote list\``);
  return toRemote(row);
}

/**
 * Adds a remote. The password, when given, goes to the credentials file; without one the
 * remote is usable once `S15N_PASSWORD_<NAME>` is set. Returns the warning to show, if any.
 */
export function addRemote(store: Store, input: { name: string; url: string; user: string; password?: string | null }): { remote: Remote; warning: string | null } {
  checkName(input.name);
  const { url, warning } = checkRemoteUrl(input.url);
  if (input.user === '' || /[:\r\n]/.test(input.user)) {
    throw new BadInput('the remote user must be a non-empty name without ":" or line breaks', [{ field: 'user', reason: 'invalid user name' }]);
  }
  if (store.db.prepare('SELECT 1 FROM remotes WHERE name = ?').get(input.name)) {
    throw new Conflict(`remote "${input.name}" already exists; remove it first or pick another name`);
  }
  const createdAt = new Date().toISOString();
  store.transaction(() => {
    store.db.prepare('INSERT INTO remotes (name, url, user_name, created_at) VALUES (?, ?, ?, ?)').run(input.name, url, input.user, createdAt);
    // Written inside the transaction: if the file cannot be written, the remote is not added either.
    if (input.password != null) storePassword(store.dataDir, input.name, input.password);
  });
  return { remote: { name: input.name, url, user: input.user, createdAt }, warning };
}

export function listRemotes(store: Store, env: NodeJS.ProcessEnv = process.env): RemoteListing[] {
  const rows = store.db.prepare<[], RemoteRow>('SELECT * FROM remotes ORDER BY name').all();
  const replicas = new ReplicaState(store);
  return rows.map((row) => {
    const remote = toRemote(row);
    const fromEnv = (env[passwordEnvName(remote.name)] ?? '') !== '';
    return {
      ...remote,
      password: fromEnv ? 'env' : hasStoredPassword(store.dataDir, remote.name) ? 'file' : 'missing',
      clones: replicas.replicasOfRemote(remote.name).map((r) => store.findTracker(r.trackerId)?.name ?? `#${r.trackerId}`),
    };
  });
}

/** Removes a remote and its stored password; refused while cloned trackers still use it. */
export function removeRemote(store: Store, name: string): void {
  getRemote(store, name);
  const clones = new ReplicaState(store).replicasOfRemote(name).map((r) => store.findTracker(r.trackerId)?.name ?? `#${r.trackerId}`);
  if (clones.length > 0) {
    throw new Conflict(`remote "${name}" is still used by cloned tracker${clones.length > 1 ? 's' : ''} ${clones.map((c) => `"${c}"`).join(', ')}`, { clones });
  }
  store.db.prepare('DELETE FROM remotes WHERE name = ?').run(name);
  forgetPassword(store.dataDir, name);
}

/** A client for a remote, authenticated with its password from the environment or the credentials file. */
export function connect(store: Store, remoteName: string, options: RemoteClientOptions = {}, env: NodeJS.ProcessEnv = process.env): RemoteClient {
  const remote = getRemote(store, remoteName);
  const password = passwordOf(store.dataDir, remote.name, env);
  if (password === null) {
    throw new BadInput(
      `no password for remote "${remote.name}": set ${passwordEnvName(remote.name)} or add the remote again with --password-stdin`,
      [{ field: 'password', reason: 'missing' }],
    );
  }
  return new RemoteClient({ name: remote.name, url: remote.url, user: remote.user, password }, options);
}
