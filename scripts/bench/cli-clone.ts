/**
 * The clone as a user runs it: `s15n clone origin bench` through the built CLI in a fresh
 * process, timed from spawn to exit (process start, module loading and the report included).
 * The data dir and its remote are made beforehand, untimed, as `init` and `remote add` would.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { openLocalStore } from '../../client/replica/index.js';
import { addRemote } from '../../client/sync/remotes.js';
import { PASSWORD, TRACKER_NAME, USER } from './items.js';
import { BUILT_CLI } from './startup.js';

export interface CliCloned {
  /** From spawn to exit. */
  ms: number;
  items: number;
}

/** The child's environment: the bench's, without what would change how node or s15n start. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'NODE_OPTIONS' || name.startsWith('S15N_')) delete env[name];
  return env;
}

export async function cliClone(dir: string, url: string, execArgv: string[] = []): Promise<CliCloned> {
  const store = openLocalStore(dir, { create: true });
  try {
    addRemote(store, { name: 'origin', url, user: USER, password: PASSWORD });
  } finally {
    store.close();
  }
  const started = performance.now();
  const child = spawn(process.execPath, [...execArgv, BUILT_CLI, '--data', dir, 'clone', 'origin', TRACKER_NAME, '--json'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`s15n clone exited ${code}: ${stderr.slice(0, 500)}`);
  const report = (JSON.parse(stdout) as { report: { counts: { created: number } } }).report;
  return { ms, items: report.counts.created };
}
