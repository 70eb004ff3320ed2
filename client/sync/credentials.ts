/**
 * Remote passwords: kept out of the database in `<dataDir>/credentials.json` (mode 0600), or
 * given by the environment (`S15N_PASSWORD_<NAME>`), which wins so CI and scripts need no file.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadInput, S15nError } from '../../shared/errors.js';

export const CREDENTIALS_FILE = 'credentials.json';

interface CredentialsFile {
  remotes: Record<string, { password: string }>;
}

/** The environment variable that may hold a remote's password: name upper-cased, anything not alphanumeric as `_`. */
export function passwordEnvName(remoteName: string): string {
  return `S15N_PASSWORD_${remoteName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE);
}

function readFile(dataDir: string): CredentialsFile {
  const path = credentialsPath(dataDir);
  if (!existsSync(path)) return { remotes: {} };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // A file that cannot be read now (EACCES, EMFILE) is not a broken file: do not advise deleting it.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new S15nError('unavailable', `cannot read ${path} (${code}); check its owner and mode (0600)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never echo the content: it holds passwords.
    throw new BadInput(`${path} is not valid JSON; fix or delete it and add the remote's password again`);
  }
  const remotes = (parsed as Partial<CredentialsFile> | null)?.remotes;
  return { remotes: remotes && typeof remotes === 'object' ? { ...remotes } : {} };
}

/**
 * Rewrites the file atomically: a temp file created with mode 0600 (so the password is never
 * readable by others, not even for a moment), then renamed over the old one.
 */
function writeFile(dataDir: string, file: CredentialsFile): void {
  const path = credentialsPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  // A leftover temp file (a crash) would keep its old mode while the password is written: start afresh.
  rmSync(temp, { force: true });
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  // A umask cannot widen 0600; this only guards against an odd filesystem.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function storePassword(dataDir: string, remoteName: string, password: string): void {
  const file = readFile(dataDir);
  file.remotes[remoteName] = { password };
  writeFile(dataDir, file);
}

export function forgetPassword(dataDir: string, remoteName: string): void {
  const file = readFile(dataDir);
  if (!(remoteName in file.remotes)) return;
  delete file.remotes[remoteName];
  writeFile(dataDir, file);
}

/** The password of a remote: the environment first, then the credentials file; null when neither has one. */
export function passwordOf(dataDir: string, remoteName: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env[passwordEnvName(remoteName)];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stored = readFile(dataDir).remotes[remoteName]?.password;
  return typeof stored === 'string' ? stored : null;
}

/** Whether the credentials file holds a password for the remote (the environment is not consulted). */
export function hasStoredPassword(dataDir: string, remoteName: string): boolean {
  return typeof readFile(dataDir).remotes[remoteName]?.password === 'string';
}
