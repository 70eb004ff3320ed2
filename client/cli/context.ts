/**
 * What every command needs: the data dir (--data, S15N_DATA, ./.s15n), the store, output that is
 * exactly one JSON document with --json, passwords from stdin, and --set values parsed by type.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Store } from '../../server/store/index.js';
import { BadInput, S15nError } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { FieldValue } from '../../shared/model/values.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, conflicts: 3 } as const;

export interface GlobalOptions {
  data?: string;
  json?: boolean;
}

/** The options given to the program and to the command, merged. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function dataDir(command: Command): string {
  return resolve(globals(command).data ?? process.env.S15N_DATA ?? '.s15n');
}

/** Opens the instance of the command's data dir; runs `fn` and closes it. */
export async function withStore<T>(command: Command, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = Store.open(dataDir(command));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Prints the result: the JSON document with --json, else the human text. */
export function output(command: Command, result: unknown, human: string | (() => string)): void {
  if (globals(command).json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const text = typeof human === 'function' ? human() : human;
    if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** A note for the user on stderr (never on stdout, which may hold JSON). */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new BadInput('expected input on stdin (pipe it in)', [{ field: 'stdin', reason: 'is a terminal' }]);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The password piped on stdin: one trailing newline is dropped, anything else (':' included) kept. */
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

const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

/** Parses the text of `--set FIELD=VALUE` into the field's type; an empty value clears the field. */
export function parseFieldValue(field: FieldDef, text: string): FieldValue {
  const at = `--set ${field.name}`;
  if (text === '') return null;
  switch (field.type) {
    case 'number':
    case 'itemlink': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) throw new BadInput(`${at}: expected a number, got "${text}"`, [{ field: field.name, reason: 'expected a number' }]);
      return n;
    }
    case 'checkbox': {
      const t = text.trim().toLowerCase();
      if (TRUE.has(t)) return true;
      if (FALSE.has(t)) return false;
      throw new BadInput(`${at}: expected true or false, got "${text}"`, [{ field: field.name, reason: 'expected true or false' }]);
    }
    case 'multiselect':
    case 'tags':
    case 'files': {
      if (text.trim().startsWith('[')) {
        const parsed = parseJson(text, at);
        if (!Array.isArray(parsed)) throw new BadInput(`${at}: expected a JSON array`, [{ field: field.name, reason: 'expected an array' }]);
        return parsed as string[];
      }
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    }
    default:
      return text;
  }
}

/** Collects `--set FIELD=VALUE` pairs into a values object, by the tracker's field types. */
export function parseSets(fields: readonly FieldDef[], sets: readonly string[]): Record<string, FieldValue> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const values: Record<string, FieldValue> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new BadInput(`--set ${set}: expected FIELD=VALUE`, [{ field: '--set', reason: 'expected FIELD=VALUE' }]);
    const name = set.slice(0, eq);
    const field = byName.get(name);
    if (!field) throw new BadInput(`--set ${name}: unknown field (fields: ${fields.map((f) => f.name).join(', ')})`, [{ field: name, reason: 'unknown field' }]);
    values[name] = parseFieldValue(field, set.slice(eq + 1));
  }
  return values;
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function isS15nError(error: unknown): error is S15nError {
  return error instanceof S15nError;
}
