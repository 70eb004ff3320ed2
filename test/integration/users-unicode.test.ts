/**
 * User names of any script and passwords of any Unicode (DESIGN §15), end to end: added with the
 * CLI in either normal form, one user however spelt, logged in with curl's Basic auth and with a
 * clone through the CLI; a name outside the rule is refused with the rule in the message.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { type RunningServer, startServer } from '../../server/serve.js';
import { SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';
import { runCliAsync } from '../helpers/sync.js';

const NFC = { name: 'Zo\u00eb', password: 'p\u00e4ss:w\u00f6rd \u2713' };
const NFD = { name: 'Zoe\u0308', password: 'pa\u0308ss:wo\u0308rd \u2713' };

let data: string;
let store: SqliteStore;
let server: RunningServer;

beforeAll(async () => {
  data = join(tempDir(), 'master');
  expect(runCli(['init'], { data }).code).toBe(0);
  expect(runCli(['tracker', 'create', 'Bugs', '--field', 'title!:text'], { data }).code).toBe(0);
  expect(runCli(['item', 'add', 'Bugs', '--set', 'title=first'], { data }).code).toBe(0);
  // Added as typed on a terminal that decomposes (macOS file names do), granted in the composed form.
  const added = runCli(['user', 'add', NFD.name, '--password-stdin', '--json'], { data, input: NFD.password });
  expect(added.code, added.stderr).toBe(0);
  expect(added.json()).toEqual({ name: NFC.name, admin: false });
  expect(runCli(['grant', NFC.name, 'Bugs', 'view'], { data }).code).toBe(0);
  expect(runCli(['user', 'add', 'Дмитрий', '--password-stdin'], { data, input: 'пароль' }).code).toBe(0);
  store = openLocalStore(data);
  server = await startServer({ store: new SqliteHub(store), port: 0 });
});

afterAll(async () => {
  await server.close();
  store.close();
});

/** The status curl gets with these credentials (asynchronous: the server runs in this process). */
async function curl(user: string, password: string): Promise<string> {
  const args = ['-s', '--max-time', '20', '-o', '/dev/null', '-w', '%{http_code}', '-u', `${user}:${password}`, `${server.url}/api/v1/trackers/Bugs/items/1`];
  return (await promisify(execFile)('curl', args, { encoding: 'utf8' })).stdout;
}

describe('unicode user names and passwords', () => {
  it("log in with curl's Basic auth in either normal form, and only with the right password", async () => {
    expect(await curl(NFC.name, NFC.password)).toBe('200');
    expect(await curl(NFD.name, NFD.password)).toBe('200');
    expect(await curl(NFC.name, NFD.password)).toBe('200');
    expect(await curl(NFC.name, 'p\u00e4ss:w\u00f6rd')).toBe('401');
    // Дмитрий has no right on Bugs: authenticated (403), not unknown (401).
    expect(await curl('Дмитрий', 'пароль')).toBe('403');
  });

  it('are one user in the list, however often added', () => {
    const again = runCli(['user', 'add', NFC.name, '--password-stdin'], { data, input: 'x' });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`user "${NFC.name}" already exists`);
    const names = runCli(['user', 'list', '--json'], { data }).json<{ name: string }[]>().map((u) => u.name);
    expect(names.filter((n) => n.normalize('NFC') === NFC.name)).toEqual([NFC.name]);
  });

  it('clone through the CLI with a remote user given in the other normal form', async () => {
    const laptop = join(tempDir(), 'laptop');
    expect(runCli(['init'], { data: laptop }).code).toBe(0);
    expect(runCli(['remote', 'add', 'origin', server.url, '--user', NFD.name, '--password-stdin'], { data: laptop, input: NFC.password }).code).toBe(0);
    const cloned = await runCliAsync(['clone', 'origin', 'Bugs', '--json'], { data: laptop });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.json()).toMatchObject({ tracker: { name: 'Bugs' }, report: { counts: { created: 1 } } });
  });

  it('refuse a name outside the rule with the rule itself, changing nothing (exit 2)', () => {
    for (const name of ['zoë smith', 'a:b', 'emoji😀']) {
      const refused = runCli(['user', 'add', name, '--password-stdin'], { data, input: 'pw' });
      expect(refused.code, name).toBe(2);
      expect(refused.stderr, name).toContain('letters and digits of any script (with their accents and vowel signs) and _ . @ -; no spaces');
    }
    expect(runCli(['user', 'list', '--json'], { data }).json<unknown[]>()).toHaveLength(2);
  });
});
