/** `s15n user add|list` and `s15n grant`: passwords only from stdin, rights by tracker. */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

let data: string;
const s15n = (args: string[], input?: string) => runCli(args, { data, input });

beforeEach(() => {
  data = join(tempDir(), 'data');
  const store = openLocalStore(data, { create: true });
  store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }] });
  store.close();
});

async function verify(name: string, password: string): Promise<boolean> {
  const store = openLocalStore(data);
  try {
    return (await store.verifyUser(name, password)) !== null;
  } finally {
    store.close();
  }
}

describe('user add', () => {
  it('reads a password with colons and unicode from stdin, dropping one trailing newline only (--json)', async () => {
    const result = s15n(['user', 'add', 'alice', '--admin', '--password-stdin', '--json'], 'p:a:ss wörd \n');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ name: 'alice', admin: true });
    expect(result.stdout + result.stderr).not.toContain('p:a:ss');
    expect(await verify('alice', 'p:a:ss wörd ')).toBe(true);
    expect(await verify('alice', 'p:a:ss wörd')).toBe(false);
  });

  it('keeps a second trailing newline as part of the password', async () => {
    expect(s15n(['user', 'add', 'bob', '--password-stdin'], 'pw\n\n').code).toBe(0);
    expect(await verify('bob', 'pw\n')).toBe(true);
  });

  it('says in words who was added', () => {
    const result = s15n(['user', 'add', 'bob', '--password-stdin'], 'pw');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('added user bob\n');
  });

  it('refuses to run without --password-stdin and says to pipe the password (exit 2)', () => {
    const result = s15n(['user', 'add', 'bob']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/s15n: pipe the password on stdin.*--password-stdin/);
    const json = s15n(['user', 'add', 'bob', '--json']);
    expect(json.json()).toMatchObject({ error: { code: 'bad_input' } });
  });

  it('refuses an empty password (exit 2) and a second user of the same name (exit 1)', () => {
    expect(s15n(['user', 'add', 'bob', '--password-stdin'], '\n').code).toBe(2);
    expect(s15n(['user', 'add', 'bob', '--password-stdin'], 'pw').code).toBe(0);
    const again = s15n(['user', 'add', 'bob', '--password-stdin', '--json'], 'other');
    expect(again.code).toBe(1);
    expect(again.json()).toMatchObject({ error: { code: 'conflict' } });
  });
});

describe('user list', () => {
  it('lists names and admin flags, never password hashes', () => {
    s15n(['user', 'add', 'alice', '--admin', '--password-stdin'], 'a');
    s15n(['user', 'add', 'bob', '--password-stdin'], 'b');
    const json = s15n(['user', 'list', '--json']);
    expect(json.json()).toEqual([expect.objectContaining({ name: 'alice', admin: true }), expect.objectContaining({ name: 'bob', admin: false })]);
    expect(json.stdout).not.toMatch(/scrypt|hash/i);
    const human = s15n(['user', 'list']);
    expect(human.stdout).toMatch(/alice\s+\(instance admin\)\nbob\n/);
  });
});

describe('grant', () => {
  it('gives a right on a tracker by name or id (--json and human)', () => {
    s15n(['user', 'add', 'bob', '--password-stdin'], 'pw');
    const json = s15n(['grant', 'bob', 'Bugs', 'edit', '--json']);
    expect(json.code).toBe(0);
    expect(json.json()).toMatchObject({ user: 'bob', tracker: 'Bugs', right: 'edit' });
    const human = s15n(['grant', 'bob', '1', 'admin']);
    expect(human.stdout).toBe('bob may now admin tracker Bugs\n');
    const store = openLocalStore(data);
    expect(store.rightOf('bob', 1)).toBe('admin');
    store.close();
  });

  it('refuses a bad right with exit 2, an unknown user or tracker with exit 1', () => {
    s15n(['user', 'add', 'bob', '--password-stdin'], 'pw');
    const bad = s15n(['grant', 'bob', 'Bugs', 'owner']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('view, edit, admin');
    expect(s15n(['grant', 'nobody', 'Bugs', 'view']).code).toBe(1);
    const noTracker = s15n(['grant', 'bob', 'Nope', 'view', '--json']);
    expect(noTracker.code).toBe(1);
    expect(noTracker.json()).toMatchObject({ error: { code: 'not_found', message: 'unknown tracker "Nope"' } });
  });
});
