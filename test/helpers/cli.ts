/** Runs the built CLI (node dist/client/cli/main.js) as a user would, never through npx. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/client/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

export function runCli(args: string[], opts: { data?: string; input?: string; env?: Record<string, string> } = {}): CliResult {
  const full = opts.data ? ['--data', opts.data, ...args] : args;
  const result = spawnSync(process.execPath, [CLI, ...full], {
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, S15N_DATA: '', ...opts.env },
    timeout: 60_000,
  });
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    json<T>() {
      return JSON.parse(result.stdout) as T;
    },
  };
}
