/** The client for a remote, apart from remotes.ts so that `s15n remote add|list|remove` do not load the HTTP client (got, zod). */
import { BadInput } from '../../shared/errors.js';
import type { SqliteStore } from '../../server/store/index.js';
import { RemoteClient, type RemoteClientOptions } from '../remote/client.js';
import { passwordEnvName, passwordOf } from './credentials.js';
import { getRemote, readCaFile } from './remotes.js';

/**
 * A client for a remote, authenticated with its password from the environment or the credentials
 * file; an https remote added with `--ca` trusts that CA (read again now, so a renewed file counts).
 */
export function connect(store: SqliteStore, remoteName: string, options: RemoteClientOptions = {}, env: NodeJS.ProcessEnv = process.env): RemoteClient {
  const remote = getRemote(store, remoteName);
  const password = passwordOf(store.dataDir, remote.name, env);
  if (password === null) {
    throw new BadInput(
      `no password for remote "${remote.name}": set ${passwordEnvName(remote.name)} or add the remote again with --password-stdin`,
      [{ field: 'password', reason: 'missing' }],
    );
  }
  const ca = options.ca ?? (remote.ca ? readCaFile(remote.ca, `the --ca file of remote "${remote.name}"`) : undefined);
  return new RemoteClient({ name: remote.name, url: remote.url, user: remote.user, password }, { ...options, ...(ca ? { ca } : {}) });
}

/** Runs one call on a client of the remote and closes it after (a question the TUI asks, a probe). */
export async function withRemote<T>(store: SqliteStore, remoteName: string, options: RemoteClientOptions | undefined, call: (client: RemoteClient) => Promise<T>): Promise<T> {
  const client = connect(store, remoteName, options);
  try {
    return await call(client);
  } finally {
    client.close();
  }
}
