/**
 * Secrets stay secret: a real `s15n serve --log-level debug` (every request logged) and the CLI
 * run failed logins (wrong password, unknown user, a burst into the throttle), a clone, push and
 * reload, a reload whose password went wrong, and a remote whose password holds ':' '%' and
 * non-ASCII characters. Then the server's log, every CLI output, every error answer, the sync
 * log, `remote list --json` and the raw bytes of every SQLite file are searched for the
 * passwords, their Basic header forms and Authorization header values: none may appear (the
 * master's database holds scrypt hashes only). The data dirs, their SQLite files and the
 * credentials file are owner-only, even under a umask of 000.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteClient } from '../../client/remote/client.js';
import type { Report } from '../../client/sync/report.js';
import { openLocalStore } from '../../client/replica/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';
import { type ServeProcess, startServeProcess } from '../helpers/serve-process.js';

/** Passwords with the characters that break naive parsing or encoding: ':' '%' and non-ASCII. */
const SECRETS = {
  alice: 'al:ice%41pä§wörd🔑:x',
  bob: 'bob-plain-secret-4711',
  wrong: 'wrong:pass%20wörd',
  ghost: 'ghost%3Asecret:€',
  gone: 'gone-bad-secret-0815',
  burst: 'burst:guess%25',
} as const;

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`, 'utf8').toString('base64');

/** Every form a leaked secret could take in a text: plain, percent-encoded, JSON-escaped, its Basic forms. */
function forbidden(): string[] {
  const users = ['alice', 'bob', 'nobody', 'carol'];
  const forms: string[] = [];
  for (const secret of Object.values(SECRETS)) {
    forms.push(secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf8').toString('base64'));
    for (const user of users) forms.push(basic(user, secret));
  }
  return forms;
}

/** The data dir is 0700 and every file in it (s15n.db, -wal, -shm, credentials.json) has no bit for group or others. */
function expectOwnerOnly(dir: string): void {
  expect((statSync(dir).mode & 0o777).toString(8), dir).toBe('700');
  const files = readdirSync(dir);
  expect(files).toEqual(expect.arrayContaining(['s15n.db', 's15n.db-wal', 's15n.db-shm']));
  for (const name of files) expect({ name, others: (statSync(join(dir, name)).mode & 0o077).toString(8) }).toEqual({ name, others: '0' });
}

let masterData: string;
let cloneData: string;
let served: ServeProcess;
let oldUmask: number;
/** Everything a user or an operator can see, by where it came from. */
const seen: { where: string; text: string }[] = [];

function cli(args: string[], data: string, opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const result = runCli(args, { data, ...opts });
  seen.push({ where: `s15n ${args.join(' ')} (stdout)`, text: result.stdout }, { where: `s15n ${args.join(' ')} (stderr)`, text: result.stderr });
  return result;
}

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${served.url}/api/v1/${path}`, init);
  seen.push({ where: `${init.method ?? 'GET'} ${path} -> ${response.status}`, text: `${JSON.stringify([...response.headers])}\n${await response.clone().text()}` });
  return response;
}

beforeAll(async () => {
  // The most permissive umask: owner-only modes must not depend on the user's.
  oldUmask = process.umask(0o000);
  masterData = join(tempDir(), 'master');
  const store = openLocalStore(masterData, { create: true });
  const tracker = store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text', required: true }, { name: 'notes', type: 'textarea' }] });
  store.createItems(tracker.id, [{ values: { title: 'first' } }, { values: { title: 'second' } }], null);
  store.close();
  expect(cli(['user', 'add', 'alice', '--password-stdin'], masterData, { input: `${SECRETS.alice}\n` }).code).toBe(0);
  expect(cli(['user', 'add', 'bob', '--password-stdin'], masterData, { input: `${SECRETS.bob}\n` }).code).toBe(0);
  expect(cli(['grant', 'alice', 'Bugs', 'edit'], masterData).code).toBe(0);
  expect(cli(['grant', 'bob', 'Bugs', 'view'], masterData).code).toBe(0);
  served = await startServeProcess(masterData, ['--log-level', 'debug']);
  cloneData = join(tempDir(), 'clone');
  expect(cli(['init'], cloneData).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await served?.stop();
  process.umask(oldUmask);
});

describe('no secret in logs, outputs, answers or databases', { timeout: 120_000 }, () => {
  it('runs failed logins, clone, push, reload, a failing reload and an env password; leaks nothing; files owner-only', async () => {
    const add = (name: string, user: string, password?: string) =>
      cli(['remote', 'add', name, served.url, '--user', user, ...(password ? ['--password-stdin'] : []), '--json'], cloneData, { input: password ? `${password}\n` : '' });
    expect(add('origin', 'alice', SECRETS.alice).code).toBe(0);
    expect(add('wrong', 'alice', SECRETS.wrong).code).toBe(0);
    expect(add('ghost', 'nobody', SECRETS.ghost).code).toBe(0);
    expect(add('envy', 'bob').code).toBe(0);

    // Failed logins: a wrong password and an unknown user read alike.
    const wrong = cli(['clone', 'wrong', 'Bugs', '--json'], cloneData);
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/refused the credentials of user "alice"/) } });
    const ghost = cli(['clone', 'ghost', 'Bugs'], cloneData);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/refused the credentials of user "nobody"/);

    // Clone, local edit, push, a master-side change, reload: the password with ':' '%' and unicode works.
    const cloned = cli(['clone', 'origin', 'Bugs', '--json'], cloneData);
    expect(cloned.code, cloned.stderr).toBe(0);
    const items = cli(['item', 'list', 'Bugs', '--json'], cloneData).json<{ id: number; values: { title: string } }[]>();
    expect(cli(['item', 'edit', 'Bugs', String(items[0]!.id), '--set', 'notes=local'], cloneData).code).toBe(0);
    const pushed = cli(['push', 'Bugs', '--json'], cloneData);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.json<Report>().counts.updated).toBe(1);
    expect(cli(['item', 'add', 'Bugs', '--set', 'title=third'], masterData).code).toBe(0);
    const reloaded = cli(['reload', 'Bugs', '--json'], cloneData);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    expect(reloaded.json<Report>().counts.created).toBe(1);

    // The password went wrong since (the environment wins over the file): the run fails and is logged.
    const gone = cli(['reload', 'Bugs', '--json'], cloneData, { env: { S15N_PASSWORD_ORIGIN: SECRETS.gone } });
    expect(gone.code).toBe(1);
    // A password from the environment only.
    const envy = cli(['clone', 'envy', 'Bugs', '--as', 'BugsToo', '--json'], cloneData, { env: { S15N_PASSWORD_ENVY: SECRETS.bob } });
    expect(envy.code, envy.stderr).toBe(0);

    const log = cli(['log', 'Bugs', '--json'], cloneData);
    expect(log.code).toBe(0);
    expect(log.json<{ outcome: string; errors: { message: string }[] }[]>()[0]).toMatchObject({ outcome: 'error', errors: [{ message: expect.stringMatching(/refused the credentials of user "alice"/) }] });
    const listed = cli(['remote', 'list', '--json'], cloneData);
    expect(listed.json<{ name: string; password: string }[]>().map((r) => [r.name, r.password])).toEqual([
      ['envy', 'missing'],
      ['ghost', 'file'],
      ['origin', 'file'],
      ['wrong', 'file'],
    ]);

    // Error answers, straight from the API.
    expect((await request('trackers', { headers: { authorization: `Basic ${basic('alice', SECRETS.wrong)}` } })).status).toBe(401);
    expect((await request('trackers', { headers: { authorization: `Basic ${basic('nobody', SECRETS.ghost)}` } })).status).toBe(401);
    expect((await request('trackers', { headers: { authorization: `Basic ${Buffer.from(SECRETS.ghost).toString('base64')}` } })).status).toBe(401);
    expect((await request('trackers', { headers: { authorization: `Bearer ${SECRETS.gone}` } })).status).toBe(401);
    expect((await request(`trackers?password=${encodeURIComponent(SECRETS.ghost)}`)).status).toBe(401);
    const badBody = await request('trackers/Bugs/push', {
      method: 'POST',
      headers: { authorization: `Basic ${basic('alice', SECRETS.alice)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'k', values: { title: 1, password: SECRETS.alice } }] }),
    });
    expect(badBody.status).toBe(200);
    expect((await request('users', { headers: { authorization: `Basic ${basic('bob', SECRETS.bob)}` } })).status).toBe(403);
    // A burst of guesses ends in the throttle's 429.
    let last = 0;
    for (let i = 0; i < 21; i += 1) last = (await request('trackers', { headers: { authorization: `Basic ${basic('carol', SECRETS.burst)}` } })).status;
    expect(last).toBe(429);

    // While the server runs, its -wal and -shm files exist: all owner-only, like the clone's.
    expectOwnerOnly(masterData);
    const clone = openLocalStore(cloneData);
    try {
      clone.listTrackers();
      expectOwnerOnly(cloneData);
    } finally {
      clone.close();
    }
    expect(statSync(join(cloneData, 'credentials.json')).mode & 0o777).toBe(0o600);

    // The server logged every request (debug) and wrote nothing secret.
    await served.stop();
    const serverLog = served.stderr();
    expect(serverLog.split('\n').filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThan(30);
    seen.push({ where: 'server stderr', text: serverLog }, { where: 'server stdout', text: served.stdout() });

    // The raw bytes of every SQLite file of both instances (main, -wal, -shm); credentials.json holds passwords by design.
    for (const dir of [masterData, cloneData]) {
      for (const name of readdirSync(dir).filter((f) => f !== 'credentials.json')) {
        const bytes = readFileSync(join(dir, name));
        seen.push({ where: `${dir}/${name} (utf8)`, text: bytes.toString('utf8') }, { where: `${dir}/${name} (latin1)`, text: bytes.toString('latin1') });
      }
    }
    const masterBytes = readdirSync(masterData).map((f) => readFileSync(join(masterData, f)).toString('latin1')).join('');
    expect(masterBytes).toContain('scrypt$16384$8$1$');

    const leaks: string[] = [];
    for (const { where, text } of seen) {
      for (const form of forbidden()) if (text.includes(form)) leaks.push(`${where}: ${JSON.stringify(form)}`);
      // An Authorization header value: only ever redacted.
      const header = /authorization\\?"?\s*[:=]\s*\\?"?(?!\[redacted\])([^"\\,}\s]+)/gi;
      for (const match of text.matchAll(header)) leaks.push(`${where}: authorization ${match[1]}`);
      if (/\bBasic [A-Za-z0-9+/]{8,}={0,2}/.test(text)) leaks.push(`${where}: a Basic credential`);
    }
    expect(leaks).toEqual([]);
  });

  it('the client follows no redirect, so its Authorization header never goes to another URL (nor from https to http)', async () => {
    const seenPaths: { path: string; authorization: boolean }[] = [];
    const server = createServer((req, res) => {
      seenPaths.push({ path: req.url ?? '', authorization: req.headers.authorization !== undefined });
      res.writeHead(302, { location: '/elsewhere/api/v1/trackers' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new RemoteClient({ name: 'mover', url, user: 'alice', password: SECRETS.alice }, { retries: 0, timeoutMs: 5000 });
      const error = await client.listTrackers().then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/answered with a redirect \(HTTP 302 to \/elsewhere.*does not follow redirects/);
      expect(error?.message).not.toContain(SECRETS.alice);
      expect(seenPaths).toEqual([{ path: '/api/v1/trackers', authorization: true }]);
    } finally {
      server.close();
    }
  });
});
