import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

let data: string;
const s15n = (args: string[], input?: string) => runCli(args, { data, input });

function setUp(): void {
  expect(s15n(['init']).code).toBe(0);
  expect(s15n(['tracker', 'create', 'Bugs', '--field', 'title!:text', '--field', 'prio:dropdown:low,high', '--field', 'n:number', '--field', 'done:checkbox', '--field', 'tags:tags']).code).toBe(0);
}

beforeEach(() => {
  data = join(tempDir(), 'data');
});

describe('init', () => {
  it('creates an owner-only data dir and is idempotent', () => {
    const first = s15n(['init', '--json']);
    expect(first.code).toBe(0);
    expect(first.json()).toEqual({ dataDir: data, created: true });
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 's15n.db')).mode & 0o777).toBe(0o600);
    expect(s15n(['init', '--json']).json()).toEqual({ dataDir: data, created: false });
  });

  it('takes the data dir from S15N_DATA when --data is absent', () => {
    const result = runCli(['init', '--json'], { env: { S15N_DATA: data } });
    expect(result.json()).toMatchObject({ dataDir: data, created: true });
  });

  it('says how to start when no instance exists (exit 1, no stack trace)', () => {
    const result = s15n(['tracker', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/run `s15n init`/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('users and rights', () => {
  it('adds a user from a password on stdin, colon included, and never prints it', () => {
    setUp();
    const result = s15n(['user', 'add', 'alice', '--admin', '--password-stdin', '--json'], 'p:a:ss\n');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ name: 'alice', admin: true });
    expect(result.stdout + result.stderr).not.toContain('p:a:ss');
  });

  it('refuses to take a password without --password-stdin (exit 2)', () => {
    setUp();
    expect(s15n(['user', 'add', 'bob']).code).toBe(2);
  });

  it('grants rights and refuses unknown rights, users and trackers', () => {
    setUp();
    s15n(['user', 'add', 'bob', '--password-stdin'], 'pw');
    expect(s15n(['grant', 'bob', 'Bugs', 'edit', '--json']).json()).toMatchObject({ user: 'bob', tracker: 'Bugs', right: 'edit' });
    expect(s15n(['grant', 'bob', 'Bugs', 'owner']).code).toBe(2);
    expect(s15n(['grant', 'nobody', 'Bugs', 'view']).code).toBe(1);
    expect(s15n(['grant', 'bob', 'Nope', 'view']).code).toBe(1);
  });
});

describe('trackers', () => {
  it('creates a tracker from field specs and lists it', () => {
    setUp();
    const list = s15n(['tracker', 'list', '--json']).json<{ name: string; items: number }[]>();
    expect(list).toEqual([expect.objectContaining({ id: 1, name: 'Bugs', items: 0 })]);
  });

  it('refuses a bad field type naming the field (exit 2), creating nothing', () => {
    s15n(['init']);
    const result = s15n(['tracker', 'create', 'X', '--field', 'a:colour', '--json']);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { details: { problems: { field: string }[] } } }>().error.details.problems[0]!.field).toBe('fields[0].type');
    expect(s15n(['tracker', 'list', '--json']).json()).toEqual([]);
  });

  it('round-trips export and import, items included', () => {
    setUp();
    s15n(['item', 'add', 'Bugs', '--set', 'title=one', '--set', 'prio=high', '--set', 'tags=a,b']);
    s15n(['item', 'add', 'Bugs', '--set', 'title=two', '--status', 'closed']);
    const exported = s15n(['tracker', 'export', 'Bugs']).json<{ name: string; items: unknown[] }>();
    expect(exported.items).toHaveLength(2);
    const file = join(tempDir(), 'copy.json');
    writeFileSync(file, JSON.stringify({ ...exported, name: 'Copy' }));
    const imported = s15n(['tracker', 'import', file, '--json']);
    expect(imported.code).toBe(0);
    expect(imported.json()).toMatchObject({ name: 'Copy', items: 2 });
    const items = s15n(['item', 'list', 'Copy', '--json']).json<{ status: string; values: object }[]>();
    expect(items.map((i) => [i.status, i.values])).toEqual([
      ['open', { title: 'one', prio: 'high', tags: ['a', 'b'] }],
      ['closed', { title: 'two' }],
    ]);
  });

  it('imports all or nothing: one bad item refuses the whole file naming it', () => {
    s15n(['init']);
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'T', fields: [{ name: 'n', type: 'number' }], items: [{ values: { n: 1 } }, { values: { n: 'x' } }] }));
    const result = s15n(['tracker', 'import', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('items[1].values.n');
    expect(s15n(['tracker', 'list', '--json']).json()).toEqual([]);
  });

  it('reads an import file from stdin with -', () => {
    s15n(['init']);
    const result = s15n(['tracker', 'import', '-', '--json'], JSON.stringify({ name: 'S', fields: [{ name: 't', type: 'text' }], items: [{ values: { t: 'x' } }] }));
    expect(result.json()).toMatchObject({ name: 'S', items: 1 });
  });

  it('refuses malformed JSON with a clear message (exit 2)', () => {
    s15n(['init']);
    const result = s15n(['tracker', 'import', '-'], '{nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not valid JSON/);
  });
});

describe('items', () => {
  it('adds with --set parsed per field type and shows the item', () => {
    setUp();
    const added = s15n(['item', 'add', 'Bugs', '--set', 'title=Hello', '--set', 'n=4.5', '--set', 'done=yes', '--set', 'tags=["x","y"]', '--json']);
    expect(added.code).toBe(0);
    expect(added.json()).toMatchObject({ id: 1, status: 'open', version: 1, values: { title: 'Hello', n: 4.5, done: true, tags: ['x', 'y'] } });
    expect(s15n(['item', 'show', 'Bugs', '1', '--json']).json()).toMatchObject({ id: 1, values: { title: 'Hello' } });
  });

  it('refuses a bad --set value naming the field (exit 2)', () => {
    setUp();
    for (const set of ['n=ten', 'done=maybe', 'ghost=1', 'prio=urgent', 'noequals']) {
      const result = s15n(['item', 'add', 'Bugs', '--set', 'title=x', '--set', set]);
      expect(result.code, set).toBe(2);
      expect(result.stderr, set).toMatch(new RegExp(set.split('=')[0]!));
    }
    expect(s15n(['item', 'list', 'Bugs', '--json']).json()).toEqual([]);
  });

  it('adds many items from a JSON array in one transaction, or none of them', () => {
    setUp();
    const bad = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { title: 'b', prio: 'mid' }])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('items[1].values.prio');
    expect(s15n(['item', 'list', 'Bugs', '--json']).json()).toEqual([]);
    const good = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { status: 'pending', values: { title: 'b' } }]), '--json']);
    expect(good.json<{ status: string }[]>().map((i) => i.status)).toEqual(['open', 'pending']);
  });

  it('edits several items with one change, clears with an empty value, bumps versions', () => {
    setUp();
    s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a', n: 1 }, { title: 'b', n: 2 }])]);
    const edited = s15n(['item', 'edit', 'Bugs', '1', '2', '--set', 'prio=low', '--set', 'n=', '--status', 'pending', '--json']).json<{ version: number; status: string; values: object }[]>();
    expect(edited.map((i) => [i.version, i.status, i.values])).toEqual([
      [2, 'pending', { title: 'a', prio: 'low' }],
      [2, 'pending', { title: 'b', prio: 'low' }],
    ]);
  });

  it('refuses clearing a required field and an unknown id, changing nothing', () => {
    setUp();
    s15n(['item', 'add', 'Bugs', '--set', 'title=a']);
    expect(s15n(['item', 'edit', 'Bugs', '1', '--set', 'title=']).code).toBe(2);
    expect(s15n(['item', 'edit', 'Bugs', '1', '99', '--set', 'n=1']).code).toBe(1);
    expect(s15n(['item', 'show', 'Bugs', '1', '--json']).json()).toMatchObject({ version: 1, values: { title: 'a' } });
  });

  it('deletes items, which then disappear from the list', () => {
    setUp();
    s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { title: 'b' }])]);
    expect(s15n(['item', 'delete', 'Bugs', '1', '--json']).json()).toEqual({ deleted: [1] });
    expect(s15n(['item', 'list', 'Bugs', '--json']).json<{ id: number }[]>().map((i) => i.id)).toEqual([2]);
    expect(s15n(['item', 'show', 'Bugs', '1']).code).toBe(1);
  });

  it('prints exactly one JSON document with --json, errors included', () => {
    setUp();
    const ok = s15n(['item', 'list', 'Bugs', '--json']);
    expect(() => JSON.parse(ok.stdout)).not.toThrow();
    const failed = s15n(['item', 'show', 'Bugs', '42', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers an unknown command with usage and exit 2', () => {
    expect(s15n(['frobnicate']).code).toBe(2);
  });
});

describe('serve', () => {
  it('prints its URL on port 0, answers health, and stops cleanly on SIGTERM', async () => {
    setUp();
    const child = spawn(process.execPath, [CLI, '--data', data, 'serve', '--port', '0', '--json', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('refuses --tls-cert without --tls-key (exit 2)', () => {
    setUp();
    expect(s15n(['serve', '--tls-cert', 'x.pem']).code).toBe(2);
  });
});
