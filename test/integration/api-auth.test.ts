/** HTTP Basic auth over real HTTP: challenges, ':' and unicode in passwords, and the failed-login throttle per (address, user). */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, api, everyTypeTracker, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';

const MAX = 3;
let inst: TestInstance;

beforeAll(async () => {
  inst = await startInstance({ loginThrottle: { max: MAX, windowMs: 60_000 } });
  await seedUsers(inst.hub, await everyTypeTracker(inst.hub));
});

afterAll(async () => {
  await inst.close();
});

/** A fresh user for each throttle test, so the tests do not share keys. */
let serial = 0;
async function freshUser(password = 'right-pw'): Promise<string> {
  const name = `user${++serial}`;
  await inst.hub.addUser(name, password);
  return name;
}

const statusOf = async (user: string, password: string, localAddress?: string) => (await api(inst.url, '/trackers', { user, password, localAddress })).status;

describe('challenges', () => {
  it('answers a request without credentials with 401, a Basic challenge for realm "s15n" and a JSON error', async () => {
    const res = await api(inst.url, '/trackers');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="s15n"/);
    expect(res.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('answers another scheme or a mangled Basic header with 401', async () => {
    for (const authorization of ['Bearer abc.def', 'Basic', 'Basic !!!not-base64!!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Digest username="root"']) {
      const res = await api(inst.url, '/trackers', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="s15n"/);
    }
  });

  it('answers a wrong password and an unknown user alike: 401, same message, no echo of the password', async () => {
    const wrong = await api(inst.url, '/trackers', { user: 'vera', password: 'guess-0123456789' });
    const unknown = await api(inst.url, '/trackers', { user: 'nobody-at-all', password: 'guess-0123456789' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error).toEqual(unknown.json.error);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm="s15n"/);
    for (const res of [wrong, unknown]) {
      expect(res.text).not.toContain('guess-0123456789');
      expect(res.text).not.toContain('Basic ');
    }
  });
});

describe('passwords', () => {
  it('accepts a password with several ":" (passport-http 0.3 would cut it at the first)', async () => {
    expect(PASSWORDS.root).toBe('root:pass:word');
    expect(await statusOf('root', PASSWORDS.root)).toBe(200);
    // What passport-http would have compared: the part before the first ':'.
    expect(await statusOf('root', 'root')).toBe(401);
    expect(await statusOf('root', 'root:pass')).toBe(401);
  });

  it('accepts passwords that start or end with ":" or are only ":"', async () => {
    for (const password of [':leading', 'trailing:', '::']) {
      const name = await freshUser(password);
      expect(await statusOf(name, password), password).toBe(200);
    }
  });

  it('accepts unicode passwords (UTF-8 in the header)', async () => {
    await inst.hub.addUser('zoe', 'pässwörd✓:日本語🔑');
    expect(await statusOf('zoe', 'pässwörd✓:日本語🔑')).toBe(200);
    expect(await statusOf('zoe', 'passwörd✓:日本語🔑')).toBe(401);
  });

  it('answers a unicode user name that cannot exist with a plain 401', async () => {
    const res = await api(inst.url, '/trackers', { user: 'zoë✓', password: 'pässwörd✓' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
  });

  it('sets the caller from the credentials: what it may see follows its rights', async () => {
    expect((await api(inst.url, '/trackers', { user: 'olga' })).json).toEqual({ trackers: [] });
    expect((await api(inst.url, '/trackers', { user: 'vera' })).json.trackers.map((t: { name: string }) => t.name)).toEqual(['Bugs']);
  });
});

describe('the failed-login throttle', () => {
  it(`answers 429 with Retry-After and a JSON error once ${MAX} failures are counted, even for the right password`, async () => {
    const name = await freshUser();
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 2; i++) statuses.push(await statusOf(name, `wrong${i}`));
    expect(statuses).toEqual([...Array(MAX).fill(401), 429, 429]);
    const locked = await api(inst.url, '/trackers', { user: name, password: 'right-pw' });
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(locked.json).toEqual({ error: { code: 'too_many_requests', message: expect.stringContaining('try again') } });
  });

  it('locks only the (address, user) key: other users from that address and that user from another address still get in', async () => {
    const name = await freshUser();
    for (let i = 0; i < MAX; i++) await statusOf(name, `wrong${i}`);
    expect(await statusOf(name, 'right-pw')).toBe(429);
    expect(await statusOf('vera', PASSWORDS.vera)).toBe(200);
    // 127.0.0.2 is another client address on the loopback interface.
    expect(await statusOf(name, 'right-pw', '127.0.0.2')).toBe(200);
    expect(await statusOf(name, 'right-pw')).toBe(429);
  });

  it('does not count requests without credentials as failed logins', async () => {
    const name = await freshUser();
    for (let i = 0; i < MAX * 3; i++) expect((await api(inst.url, '/trackers')).status).toBe(401);
    expect(await statusOf(name, 'right-pw')).toBe(200);
  });

  it('clears the count of a key on a successful login', async () => {
    const name = await freshUser();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < MAX - 1; i++) expect(await statusOf(name, `wrong${i}`)).toBe(401);
      expect(await statusOf(name, 'right-pw')).toBe(200);
    }
  });

  it('lets a burst of parallel guesses learn nothing past the limit', async () => {
    const name = await freshUser();
    // All 20 pass the first check before any has failed; only the first MAX to fail may say so.
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => statusOf(name, `wrong${i}`)));
    expect(statuses.filter((s) => s === 401).length).toBe(MAX);
    expect(statuses.filter((s) => s === 429).length).toBe(20 - MAX);
    expect(await statusOf(name, 'right-pw')).toBe(429);
  });

  it('does not throttle health, which needs no credentials; the OpenAPI document does need them', async () => {
    const name = await freshUser();
    for (let i = 0; i < MAX; i++) await statusOf(name, `wrong${i}`);
    expect((await api(inst.url, '/health', { user: name, password: 'x' })).status).toBe(200);
    expect((await api(inst.url, '/openapi.json', { user: name, password: 'x' })).status).toBe(429);
  });
});

describe('the throttle window', () => {
  it('lifts the lock when the window has passed, and slides: only failures inside the last window count', async () => {
    const windowMs = 1500;
    const short = await startInstance({ loginThrottle: { max: 2, windowMs } });
    try {
      await short.hub.addUser('sam', 'right-pw');
      const status = async (password: string) => (await api(short.url, '/trackers', { user: 'sam', password })).status;
      expect(await status('w1')).toBe(401); // t = 0
      await sleep(800);
      expect(await status('w2')).toBe(401); // t = 0.8 s: two failures in the window
      const locked = await api(short.url, '/trackers', { user: 'sam', password: 'right-pw' });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBe(1);
      await sleep(900);
      // t = 1.7 s: the first failure left the window, the second is still in it.
      expect(await status('w3')).toBe(401);
      expect(await status('right-pw')).toBe(429);
      await sleep(windowMs + 300);
      expect(await status('right-pw')).toBe(200);
    } finally {
      await short.close();
    }
  });
});
