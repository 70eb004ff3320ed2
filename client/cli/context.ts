/**
 * What every command needs: the instance (--store, --data, S15N_STORE, S15N_DATA, ./.s15n), the
 * store, output that is exactly one JSON document with --json, passwords and files from stdin,
 * JSON and id arguments.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HubStore, SqliteStore } from '../../server/store/index.js';
import { isPostgresUrl } from '../../server/store/location.js';
import { openHub } from '../../server/store/open.js';
import { BadInput } from '../../shared/errors.js';

// Kept in a module of its own, so main.ts can map errors to exit codes without loading the store.
export { EXIT } from './exit.js';

export interface GlobalOptions {
  data?: string;
  store?: string;
  json?: boolean;
}

/** The options given to the program and to the command, merged. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** An instance: a data dir (SQLite) or a PostgreSQL database (its URL, password included: never print it). */
export type Instance = { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; url: string };

/**
 * The command's instance: --store URL, else --data DIR (both at once is a usage error), else
 * $S15N_STORE, else $S15N_DATA (empty values count as unset), else ./.s15n. A flag beats the
 * environment, so `--data DIR` works in a shell that exports S15N_STORE.
 */
export function instanceOf(command: Command): Instance {
  const { store, data } = globals(command);
  if (store && data) throw new BadInput('--store and --data name two instances; give one', [{ field: '--store', reason: 'given with --data' }]);
  const url = store || (data ? undefined : process.env.S15N_STORE || undefined);
  if (url === undefined) return { engine: 'sqlite', dataDir: resolve(data || process.env.S15N_DATA || '.s15n') };
  if (!isPostgresUrl(url)) {
    throw new BadInput(`${store ? '--store' : 'S15N_STORE'}: expected postgres://USER[:PASS]@HOST[:PORT]/DB (a data dir is --data)`, [
      { field: store ? '--store' : 'S15N_STORE', reason: 'a postgres:// or postgresql:// URL' },
    ]);
  }
  return { engine: 'postgres', url };
}

/** The command's words (`remote add`), for messages. */
function commandName(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/**
 * The data dir of a command that works on SQLite instances only (the clone side: clone, reload,
 * push, status, resolve, log, remote, tui): asked of a PostgreSQL instance, a usage error (exit 2).
 */
export function dataDir(command: Command): string {
  const instance = instanceOf(command);
  if (instance.engine === 'sqlite') return instance.dataDir;
  const name = commandName(command);
  throw new BadInput(
    `s15n ${name} needs an SQLite instance (--data DIR): ${locationOf(instance)} is a PostgreSQL hub, which serves clones but cannot be one`,
    [{ field: globals(command).store ? '--store' : 'S15N_STORE', reason: `s15n ${name} needs a data dir` }],
  );
}

/** Where an instance is, safe to print: the data dir, or the URL without its password. */
export function locationOf(instance: Instance): string {
  if (instance.engine === 'sqlite') return instance.dataDir;
  const { url } = instance;
  // The authority runs to the first '/' or '?' after the scheme; its user info to its last '@'.
  const start = url.indexOf('//') + 2;
  const end = url.slice(start).search(/[/?]/);
  const authority = end === -1 ? url.slice(start) : url.slice(start, start + end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return url;
  const user = authority.slice(0, at).split(':')[0];
  return `${url.slice(0, start)}${user}@${url.slice(start + at + 1)}`;
}

/**
 * Opens the command's instance as a hub (the HubStore interface: what the hub-side commands
 * init, user, grant, tracker, item and serve use), SQLite or PostgreSQL; runs `fn` and closes it.
 */
export async function withHub<T>(command: Command, fn: (hub: HubStore) => Promise<T> | T, opts: { create?: boolean } = {}): Promise<T> {
  const instance = instanceOf(command);
  const hub = await openHub(instance.engine === 'sqlite' ? instance.dataDir : instance.url, opts);
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

