/**
 * Credential checks give nothing away by their cost: an unknown user name runs the same scrypt
 * (same N, r, p, key length) as a wrong password for a known one, every comparison goes through
 * timingSafeEqual, and the two failures read alike over HTTP. Counted, not timed: node:crypto's
 * scrypt and timingSafeEqual are wrapped to record their calls.
 */
import type * as Crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestInstance, startInstance } from '../helpers/instance.js';

interface KdfCall {
  N: number;
  r: number;
  p: number;
  keylen: number;
}
const calls = vi.hoisted(() => ({ scrypt: [] as KdfCall[], equal: [] as [number, number][] }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  const scrypt = (password: Crypto.BinaryLike, salt: Crypto.BinaryLike, keylen: number, options: Crypto.ScryptOptions, done: (error: Error | null, key: Buffer) => void) => {
    calls.scrypt.push({ N: options.N ?? -1, r: options.r ?? -1, p: options.p ?? -1, keylen });
    real.scrypt(password, salt, keylen, options, done);
  };
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.equal.push([a.byteLength, b.byteLength]);
    return real.timingSafeEqual(a, b);
  };
  return { ...real, default: { ...real, scrypt, timingSafeEqual }, scrypt, timingSafeEqual };
});

const KDF = { N: 16384, r: 8, p: 1, keylen: 32 };
let inst: TestInstance;

beforeAll(async () => {
  inst = await startInstance({ loginThrottle: { max: 3, windowMs: 60_000 } });
  await inst.store.addUser('known', 'right:pw');
});

afterAll(async () => {
  await inst.close();
});

beforeEach(() => {
  calls.scrypt.length = 0;
  calls.equal.length = 0;
});

describe('credential checks', () => {
  it('an unknown user costs the same scrypt as a wrong password, both compared with timingSafeEqual', async () => {
    expect(await inst.store.verifyUser('known', 'wrong')).toBeNull();
    const wrongPassword = { scrypt: [...calls.scrypt], equal: [...calls.equal] };
    calls.scrypt.length = 0;
    calls.equal.length = 0;
    expect(await inst.store.verifyUser('nobody', 'wrong')).toBeNull();
    const unknownUser = { scrypt: [...calls.scrypt], equal: [...calls.equal] };

    expect(wrongPassword.scrypt).toEqual([KDF]);
    expect(unknownUser).toEqual(wrongPassword);
    expect(unknownUser.equal).toEqual([[32, 32]]);
  });

  it('a right password runs scrypt once, then the in-memory cache (compared with timingSafeEqual); a wrong one always runs scrypt', async () => {
    await inst.store.addUser('cached', 'pw-1');
    calls.scrypt.length = 0;
    expect(await inst.store.verifyUser('cached', 'pw-1')).toMatchObject({ name: 'cached' });
    expect(calls.scrypt).toEqual([KDF]);
    calls.scrypt.length = 0;
    calls.equal.length = 0;
    expect(await inst.store.verifyUser('cached', 'pw-1')).toMatchObject({ name: 'cached' });
    expect(calls.scrypt).toEqual([]);
    expect(calls.equal).toEqual([[32, 32]]);
    // A cached success does not make a wrong guess cheaper (which would tell that the name exists).
    calls.scrypt.length = 0;
    expect(await inst.store.verifyUser('cached', 'pw-2')).toBeNull();
    expect(calls.scrypt).toEqual([KDF]);
  });

  it('over HTTP an unknown user and a wrong password get the same 401 after the same work', async () => {
    const get = async (user: string, password: string) => {
      calls.scrypt.length = 0;
      const response = await fetch(`${inst.url}/api/v1/trackers`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
      return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text(), kdf: [...calls.scrypt] };
    };
    const wrong = await get('known', 'guess');
    const unknown = await get('nobody', 'guess');
    expect(wrong.status).toBe(401);
    expect(wrong.kdf).toEqual([KDF]);
    expect(unknown).toEqual(wrong);
  });

  it('a throttled key is refused before scrypt, for a known and an unknown name alike', async () => {
    const get = async (user: string) => {
      calls.scrypt.length = 0;
      const response = await fetch(`${inst.url}/api/v1/trackers`, { headers: { authorization: `Basic ${Buffer.from(`${user}:guess`).toString('base64')}` } });
      await response.text();
      return { status: response.status, kdf: calls.scrypt.length };
    };
    await inst.store.addUser('target', 'right-pw');
    // Fresh names: the keys of the tests above already hold failures.
    for (const user of ['target', 'ghost']) {
      for (let i = 0; i < 3; i += 1) expect(await get(user)).toEqual({ status: 401, kdf: 1 });
      expect(await get(user)).toEqual({ status: 429, kdf: 0 });
    }
  });
});
