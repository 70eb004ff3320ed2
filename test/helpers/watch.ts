/** `s15n sync --watch --json` as a real child process (the built CLI): its NDJSON reports as they come, its stderr, its stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, cliEnv } from './cli.js';
import { waitFor } from './wait.js';

export interface WatchExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WatchProcess {
  child: ChildProcess;
  /** Every report printed so far (one JSON line each). */
  reports(): any[];
  stderr(): string;
  /** Waits until at least `count` reports were printed. */
  reported(count: number, what?: string): Promise<void>;
  exited: Promise<WatchExit>;
  /** SIGTERM (a clean stop after the current batch), then the exit. */
  stop(): Promise<WatchExit>;
}

/** Starts `s15n --data DIR --json sync ARGS... --watch`. */
export function startWatch(dataDir: string, args: string[]): WatchProcess {
  const child = spawn(process.execPath, [CLI, '--data', dataDir, '--json', 'sync', ...args, '--watch'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<WatchExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const reports = () =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  return {
    child,
    reports,
    stderr: () => err,
    reported: (count, what = `${count} reports`) => waitFor(() => reports().length >= count, `${what}; stderr: ${err}`),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
