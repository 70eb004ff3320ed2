/** Runs the built CLI (node dist/client/cli/main.js) as a user would, never through npx, in a clean environment. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/client/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

export interface CliOptions {
  /** Passed as `--data DIR` before the arguments. */
  data?: string;
  /** stdin; empty when absent (the CLI never waits on a terminal). */
  input?: string;
  /** Added to the clean environment. */
  env?: Record<string, string>;
  /** Working directory; a fresh temp dir by default, so a forgotten --data never lands in the repo. */
  cwd?: string;
  /** Options for node itself, before the CLI's path (e.g. `--import` of a test loader). */
  nodeArgs?: string[];
}

/**
 * Only what a process needs to run: no CI, S15N_* or NODE_OPTIONS from the test runner's
 * environment, so a test behaves the same on a laptop and in CI.
 */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: CliOptions = {}): CliResult {
  const full = opts.data ? ['--data', opts.data, ...args] : args;
  const result = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...full], {
    input: opts.input ?? '',
    encoding: 'utf8',
    env: cliEnv(opts.env),
    cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), 's15n-cwd-')),
    timeout: 60_000,
  });
  // Not the CLI's answer: the process did not start (E2BIG, ENOENT) or was killed by the timeout.
  if (result.error) throw new Error(`cannot run s15n ${full.join(' ').slice(0, 200)}: ${result.error.message}`);
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    json<T>() {
      return JSON.parse(result.stdout) as T;
    },
  };
}
