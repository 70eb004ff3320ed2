/** The program itself: init, the data dir, global options, help, and the one place errors become exit codes. */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

const STACK_TRACE = /^\s+at .+[:(]\d+/m;

describe('init', () => {
  it('creates an owner-only data dir and database, and says so once (--json)', () => {
    const data = join(tempDir(), 'data');
    const first = runCli(['init', '--json'], { data });
    expect(first.code).toBe(0);
    expect(first.json()).toEqual({ dataDir: data, engine: 'sqlite', created: true });
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 's15n.db')).mode & 0o777).toBe(0o600);
    const again = runCli(['init', '--json'], { data });
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ dataDir: data, engine: 'sqlite', created: false });
  });

  it('is idempotent with a clear human message', () => {
    const data = join(tempDir(), 'data');
    const first = runCli(['init'], { data });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/initialised an s15n instance at .*data/);
    const again = runCli(['init'], { data });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already exists.*nothing changed/);
  });
});

describe('the data dir', () => {
  it('comes from S15N_DATA when --data is absent', () => {
    const data = join(tempDir(), 'from-env');
    const result = runCli(['init', '--json'], { env: { S15N_DATA: data } });
    expect(result.json()).toEqual({ dataDir: data, engine: 'sqlite', created: true });
  });

  it('prefers --data over S15N_DATA', () => {
    const data = join(tempDir(), 'flag');
    const result = runCli(['init', '--json'], { data, env: { S15N_DATA: join(tempDir(), 'env') } });
    expect(result.json()).toMatchObject({ dataDir: data });
  });

  it('defaults to ./.s15n in the working directory (an empty S15N_DATA counts as unset)', () => {
    const cwd = tempDir();
    const result = runCli(['init', '--json'], { cwd, env: { S15N_DATA: '' } });
    expect(result.json()).toMatchObject({ dataDir: join(cwd, '.s15n'), created: true });
    expect(statSync(join(cwd, '.s15n', 's15n.db')).isFile()).toBe(true);
  });

  it('says how to start when no instance exists (exit 1, no stack trace)', () => {
    const data = join(tempDir(), 'none');
    const result = runCli(['tracker', 'list'], { data });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`s15n: no s15n instance at ${data}; run \`s15n init\``);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stdout).toBe('');
  });

  it('answers the same with --json: one error document on stdout, the message on stderr', () => {
    const result = runCli(['tracker', 'list', '--json'], { data: join(tempDir(), 'none') });
    expect(result.code).toBe(1);
    expect(result.json()).toEqual({ error: { code: 'not_found', message: expect.stringContaining('run `s15n init`'), details: expect.anything() } });
    expect(result.stderr).toMatch(/^s15n: no s15n instance/);
  });
});

describe('global options', () => {
  it('take --data and --json before or after the subcommand', () => {
    const data = join(tempDir(), 'data');
    expect(runCli(['--json', '--data', data, 'init']).json()).toMatchObject({ created: true });
    expect(runCli(['init', '--data', data, '--json']).json()).toMatchObject({ created: false });
    expect(runCli(['tracker', 'list', '--json'], { data }).json()).toEqual([]);
    expect(runCli(['--json', 'tracker', 'list'], { data }).json()).toEqual([]);
  });
});

describe('usage', () => {
  it('prints help and the version with exit 0', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['init', 'user', 'grant', 'tracker', 'item', 'serve']) expect(help.stdout).toContain(command);
    expect(runCli(['item', 'add', '--help']).stdout).toContain('--set');
    const version = runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers an unknown command, an unknown option and a missing argument with exit 2 and the s15n: prefix', () => {
    const data = join(tempDir(), 'data');
    mkdirSync(data);
    for (const args of [['frobnicate'], ['init', '--frob'], ['grant', 'bob'], ['item', 'show', 'Bugs'], ['tracker']]) {
      const result = runCli(args, { data });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^s15n: \S/m);
      expect(result.stderr, args.join(' ')).not.toMatch(STACK_TRACE);
    }
  });

  it('prints a usage error with --json as one error document with code bad_input', () => {
    const result = runCli(['frobnicate', '--json']);
    expect(result.code).toBe(2);
    expect(result.json()).toEqual({ error: { code: 'bad_input', message: expect.stringContaining('frobnicate'), details: expect.anything() } });
    expect(result.stderr).toContain("s15n: unknown command 'frobnicate'");
    const group = runCli(['tracker', '--json']);
    expect(group.code).toBe(2);
    expect(group.json()).toMatchObject({ error: { code: 'bad_input' } });
  });
});

/** The URL of every module a CLI run resolves through `import`, recorded by test/helpers/trace-modules.mjs. */
function modulesLoadedBy(args: string[], data?: string): { code: number; stdout: string; urls: string[] } {
  const out = join(tempDir(), 'modules.txt');
  const hooks = new URL('../helpers/trace-modules.mjs', import.meta.url);
  hooks.searchParams.set('out', out);
  const result = runCli(args, { ...(data ? { data } : {}), nodeArgs: ['--import', hooks.href] });
  return { code: result.code, stdout: result.stdout, urls: readFileSync(out, 'utf8').split('\n').filter((url) => url.length > 0) };
}

const commandModules = (urls: readonly string[]) => urls.map((url) => /\/dist\/client\/cli\/commands\/([a-z-]+)\.js$/.exec(url)?.[1]).filter((name) => name !== undefined);

describe('start-up: a command loads only the modules it uses (DESIGN §15)', () => {
  it('item list and remote list load their own command module, and none of the sync client (got, zod), the server or the TUI', () => {
    const data = join(tempDir(), 'data');
    runCli(['init'], { data });
    runCli(['tracker', 'create', 'Bugs', '--field', 'title:text'], { data });
    runCli(['item', 'add', 'Bugs', '--set', 'title=first'], { data });
    const items = modulesLoadedBy(['item', 'list', 'Bugs'], data);
    expect(items.code).toBe(0);
    expect(items.stdout).toContain('first');
    expect(commandModules(items.urls)).toEqual(['item']);
    // Managing remotes never talks to one: only connect.ts loads the HTTP client.
    const remotes = modulesLoadedBy(['remote', 'list'], data);
    expect(remotes.code).toBe(0);
    expect(commandModules(remotes.urls)).toEqual(['remote']);
    for (const run of [items, remotes]) {
      expect(run.urls.filter((url) => /\/node_modules\/(express|ink|react|got|zod|pino|pg|@inkjs\/ui)\//.test(url))).toEqual([]);
      expect(run.urls.filter((url) => /\/dist\/(client\/tui|client\/remote|server\/serve)/.test(url))).toEqual([]);
    }
  });

  it('--version loads no command module and not the store; help loads every one, to list them', () => {
    const version = modulesLoadedBy(['--version']);
    expect(version.code).toBe(0);
    expect(commandModules(version.urls)).toEqual([]);
    expect(version.urls.filter((url) => url.includes('/node_modules/better-sqlite3/'))).toEqual([]);
    const help = modulesLoadedBy(['--help']);
    expect(help.code).toBe(0);
    expect(new Set(commandModules(help.urls))).toEqual(
      new Set(['init', 'user', 'grant', 'tracker', 'item', 'serve', 'remote', 'clone', 'reload', 'status', 'push', 'sync', 'resolve', 'log', 'tui', 'demo', 'store']),
    );
  });
});
