/** Starting the bench's child processes: a server that stays up for every run, or a fresh process per measured task. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './rpc.js';
import type { StartServer } from './server-child.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./server-child.js', import.meta.url));
const TASK_SCRIPT = fileURLToPath(new URL('./task-child.js', import.meta.url));

export interface Processes {
  /** Runs one task in a fresh process and returns its answer. */
  task<T>(name: string, args: unknown): Promise<T>;
  server(args: StartServer): Promise<Server>;
  /** The node flags that make a process the bench starts itself write its CPU profile too (none without --profile). */
  profileArgs(what: string): string[];
}

export interface Server {
  url: string;
  edit(count: number, mark: string): Promise<number>;
  /** Requests received since the last call. */
  requests(): Promise<{ total: number; byRoute: Record<string, number> }>;
  /** Bytes written to clients since the last call (the s15n server counts them). */
  bytes(): Promise<number>;
  /** CPU time of the server process since the last call, in ms. */
  cpuMs(): Promise<number>;
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

/** `profileDir`: every child writes a CPU profile there (named by process id) when it exits. */
export function processes(profileDir: string | null): Processes {
  let started = 0;
  const execArgv = (what: string) => {
    if (!profileDir) return [];
    const dir = resolve(profileDir);
    mkdirSync(dir, { recursive: true });
    started += 1;
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${String(started).padStart(3, '0')}-${what}.cpuprofile`];
  };
  return {
    async task<T>(name: string, args: unknown): Promise<T> {
      const child = Child.start(name, TASK_SCRIPT, execArgv(name));
      try {
        return await child.call<T>(name, args);
      } finally {
        await child.stop();
      }
    },
    profileArgs: (what) => execArgv(what),
    async server(args: StartServer): Promise<Server> {
      const child = Child.start(`${args.kind} server`, SERVER_SCRIPT, execArgv(`server-${args.kind}`));
      const { url } = await child.call<{ url: string }>('start', args);
      return {
        url,
        edit: (count, mark) => child.call<number>('edit', { count, mark }),
        requests: () => child.call('requests'),
        bytes: () => child.call<number>('bytes'),
        cpuMs: () => child.call<number>('cpu'),
        rssMb: () => child.call<number>('rss'),
        stop: () => child.stop(),
      };
    },
  };
}

export function runDir(root: string, run: number, what: string): string {
  return join(root, `run-${run}`, what);
}
