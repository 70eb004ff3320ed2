/**
 * Remotes: the other instances this one clones from (table `remotes`) and their credentials;
 * the client that talks to one of them is in connect.ts.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BadInput, Conflict, NotFound } from '../../shared/errors.js';
import { clipText } from '../../shared/model/fields.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { Remote } from '../replica/index.js';

export type { Remote };
import { forgetPassword, hasStoredPassword, passwordEnvName, storePassword } from './credentials.js';
import { ReplicaState } from '../replica/index.js';

export interface RemoteListing extends Remote {
  /** Where the password comes from; the password itself is never shown. */
  password: 'env' | 'file' | 'missing';
  /** Local names of the trackers cloned from this remote. */
  clones: string[];
}

const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The PEM certificates of a CA file (one or more), checked: a missing or unreadable file, or one
 * without a parsable certificate, is refused naming `what` (the option, or the remote).
 */
export function readCaFile(path: string, what = '--ca'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BadInput(`${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ field: 'ca', reason: 'unreadable file' }]);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  const parses = (pem: string) => {
    try {
      void new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  };
  if (blocks.length === 0 || !blocks.every(parses)) {
    throw new BadInput(`${what}: ${path} is not a PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)`, [{ field: 'ca', reason: 'not a PEM certificate' }]);
  }
  return blocks.join('\n');
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
    throw new BadInput(`remote URL must be an absolute http:// or https:// URL, got ${JSON.stringify(clipText(text))}`, [
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
    throw new BadInput(`remote URL must be the instance's base URL, without query or fragment; got ${JSON.stringify(clipText(text))}`, [
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
    throw new BadInput(`invalid remote name ${JSON.stringify(clipText(name))}: letters, digits, '_', '-' and '.', starting with a letter, at most 64`, [
      { field: 'name', reason: 'invalid remote name' },
    ]);
  }
}

export function getRemote(store: SqliteStore, name: string): Remote {
  const remote = new ReplicaState(store).remotes.get(name);
  if (!remote) throw new NotFound(`unknown remote "${clipText(name)}"; see \`s15n remote list\``);
  return remote;
}

/**
 * Adds a remote. The password, when given, goes to the credentials file; without one the
 * remote is usable once `S15N_PASSWORD_<NAME>` is set. Returns the warning to show, if any.
 */
export function addRemote(
  store: SqliteStore,
  input: { name: string; url: string; user: string; password?: string | null; ca?: string | null },
): { remote: Remote; warning: string | null } {
  checkName(input.name);
  const { url, warning } = checkRemoteUrl(input.url);
  const ca = input.ca ? resolve(input.ca) : null;
  if (ca !== null) {
    if (!url.startsWith('https:')) throw new BadInput('--ca applies to https:// remotes only', [{ field: 'ca', reason: 'the URL is not https' }]);
    readCaFile(ca);
  }
  if (input.user === '' || /[:\r\n]/.test(input.user)) {
    throw new BadInput('the remote user must be a non-empty name without ":" or line breaks', [{ field: 'user', reason: 'invalid user name' }]);
  }
  const { remotes } = new ReplicaState(store);
  if (remotes.get(input.name)) {
    throw new Conflict(`remote "${input.name}" already exists; remove it first or pick another name`);
  }
  const createdAt = new Date().toISOString();
  store.transaction(() => {
    remotes.insert({ name: input.name, url, user: input.user, createdAt, ...(ca ? { ca } : {}) });
    // Written inside the transaction: if the file cannot be written, the remote is not added either.
    if (input.password != null) storePassword(store.dataDir, input.name, input.password);
  });
  return { remote: { name: input.name, url, user: input.user, createdAt, ...(ca ? { ca } : {}) }, warning };
}

export function listRemotes(store: SqliteStore, env: NodeJS.ProcessEnv = process.env): RemoteListing[] {
  const replicas = new ReplicaState(store);
  return replicas.remotes.list().map((remote) => {
    const fromEnv = (env[passwordEnvName(remote.name)] ?? '') !== '';
    return {
      ...remote,
      password: fromEnv ? 'env' : hasStoredPassword(store.dataDir, remote.name) ? 'file' : 'missing',
      clones: replicas.replicasOfRemote(remote.name).map((r) => store.findTracker(r.trackerId)?.name ?? `#${r.trackerId}`),
    };
  });
}

/** Removes a remote and its stored password; refused while cloned trackers still use it. */
export function removeRemote(store: SqliteStore, name: string): void {
  getRemote(store, name);
  const replicas = new ReplicaState(store);
  const clones = replicas.replicasOfRemote(name).map((r) => store.findTracker(r.trackerId)?.name ?? `#${r.trackerId}`);
  if (clones.length > 0) {
    throw new Conflict(`remote "${name}" is still used by cloned tracker${clones.length > 1 ? 's' : ''} ${clones.map((c) => `"${c}"`).join(', ')}`, { clones });
  }
  replicas.remotes.remove(name);
  forgetPassword(store.dataDir, name);
}
