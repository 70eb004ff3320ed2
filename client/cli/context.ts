/**
 * What every command needs: the data dir (--data, S15N_DATA, ./.s15n), the store, output that is
 * exactly one JSON document with --json, passwords and files from stdin, JSON and id arguments.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type HubStore, SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';

// Kept in a module of its own, so main.ts can map errors to exit codes without loading the store.
export { EXIT } from './exit.js';

export interface GlobalOptions {
  data?: string;
  json?: boolean;
}

/** The options given to the program and to the command, merged. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** --data, else $S15N_DATA (an empty value counts as unset), else ./.s15n; always absolute. */
export function dataDir(command: Command): string {
  return resolve(globals(command).data || process.env.S15N_DATA || '.s15n');
}

/**
 * Opens the instance of the command's data dir as a hub (the HubStore interface: what the
 * hub-side commands init, user, grant, tracker, item and serve use); runs `fn` and closes it.
 */
export async function withHub<T>(command: Command, fn: (hub: HubStore) => Promise<T> | T, opts: { create?: boolean } = {}): Promise<T> {
  const hub = SqliteHub.open(dataDir(command), opts);
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

/** Opens the SQLite store of the command's data dir for the clone side (none: "run `s15n init`"); runs `fn` and closes it. */
export async function withStore<T>(command: Command, fn: (store: SqliteStore) => Promise<T> | T): Promise<T> {
  // Loaded here: the hub-side commands (item list, say) never pay for the clone side and the merge engine.
  const { openLocalStore } = await import('../replica/index.js');
  const store = openLocalStore(dataDir(command));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Prints the result: the JSON document with --json, else the human text (built only when needed). */
export function output(command: Command, result: unknown, human: string | (() => string)): void {
  if (globals(command).json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const text = typeof human === 'function' ? human() : human;
    if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** A JSON document on stdout whatever the flags (`tracker export` is always JSON). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A note for the user on stderr (never on stdout, which may hold JSON). */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** All of stdin; a terminal is refused, since a command waiting for typed JSON would look hung. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new BadInput('expected input on stdin (pipe it in)', [{ field: 'stdin', reason: 'is a terminal' }]);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The password piped on stdin: one trailing newline is dropped (echo adds it), anything else (':' included) kept. */
export async function readPassword(): Promise<string> {
  const text = (await readStdin()).replace(/\r?\n$/, '');
  if (text.length === 0) throw new BadInput('password: empty; pipe a password on stdin', [{ field: 'password', reason: 'empty' }]);
  return text;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`${what}: not valid JSON (${(error as Error).message})`, [{ field: what, reason: 'not valid JSON' }]);
  }
}

/** A positive integer argument, or a usage error naming it. */
export function parseId(raw: string, what = 'item id'): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) === 0) throw new BadInput(`${what}: expected a positive integer, got "${raw}"`, [{ field: what, reason: 'a positive integer' }]);
  return Number(raw);
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

