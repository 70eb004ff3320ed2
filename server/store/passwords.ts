/**
 * The rules of users that every engine shares: scrypt hashes checked in constant time, what a
 * user name and a password may be, a cache of successful checks, and the order of rights.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { BadInput } from '../../shared/errors.js';
import { clipText } from '../../shared/model/fields.js';
import { RIGHTS, type Right } from './types.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
/**
 * Letters and digits of any script, a letter or digit followed by its combining marks (accents,
 * the vowel signs of Indic scripts), and `_ . @ -`. No spaces, no controls and no ':' (which
 * ends the name in HTTP Basic credentials).
 */
const USER_NAME = /^(?:[\p{L}\p{Nd}]\p{M}*|[_.@-])+$/u;
const MAX_USER_NAME = 64;
/** What a user name may be, in the words every refusal uses. */
export const USER_NAME_RULE = `1 to ${MAX_USER_NAME} characters: letters and digits of any script (with their accents and vowel signs) and _ . @ -; no spaces, no ':'`;
const MAX_PASSWORD = 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keylen, { N: n, r, p, maxmem: 256 * n * r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length);
  return timingSafeEqual(key, expected);
}

/** Checked against when the user does not exist, so timing does not reveal which names exist. */
export const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

/**
 * A user name as every engine stores and looks it up: NFC (DESIGN §15), so "Zoë" typed as one
 * code point or as e + U+0308 is one user, in `user add`, a login, a grant or a right.
 */
export function userNameKey(name: string): string {
  return typeof name === 'string' ? name.normalize('NFC') : name;
}

/** Refuses a user name that breaks USER_NAME_RULE; `name` is checked as stored (NFC). */
export function checkUserName(name: string): void {
  const key = userNameKey(name);
  if (typeof key !== 'string' || [...key].length > MAX_USER_NAME || !USER_NAME.test(key)) {
    throw new BadInput(`user name: "${clipText(String(name))}" is not valid: ${USER_NAME_RULE}`, [{ field: 'name', reason: USER_NAME_RULE }]);
  }
}

export function checkPasswordInput(password: string): void {
  if (typeof password !== 'string' || password.length === 0) throw new BadInput('password: must not be empty', [{ field: 'password', reason: 'must not be empty' }]);
  if (password.length > MAX_PASSWORD) throw new BadInput(`password: at most ${MAX_PASSWORD} characters`, [{ field: 'password', reason: `at most ${MAX_PASSWORD} characters` }]);
}

export function checkRight(right: string): asserts right is Right {
  if (!RIGHTS.includes(right as Right)) {
    throw new BadInput(`right: "${right}" is not one of view, edit, admin`, [{ field: 'right', reason: 'one of view, edit, admin' }]);
  }
}

/** Whether `held` includes `needed` (admin includes edit includes view). */
export function hasRight(held: Right | null, needed: Right): boolean {
  return held !== null && RIGHTS.indexOf(held) >= RIGHTS.indexOf(needed);
}

/**
 * Successful password checks, so Basic auth on every request does not pay scrypt each time. A
 * check is remembered by an HMAC of name and password under a key of this process, and only
 * while the stored hash is the one it was checked against.
 */
export class VerifiedLogins {
  private readonly verified = new Map<string, { stored: string; mac: Buffer }>();
  private readonly macKey = randomBytes(32);

  /** The user's stored hash, or undefined for an unknown user; resolves to whether the password is right. */
  async check(name: string, password: string, stored: string | undefined): Promise<boolean> {
    const mac = createHmac('sha256', this.macKey).update(`${name}\0${password}`).digest();
    if (stored !== undefined) {
      const cached = this.verified.get(name);
      if (cached && cached.stored === stored && timingSafeEqual(cached.mac, mac)) return true;
    }
    const ok = await checkPassword(password, stored ?? DUMMY_HASH);
    if (stored === undefined || !ok) return false;
    this.verified.set(name, { stored, mac });
    return true;
  }

  forget(name: string): void {
    this.verified.delete(name);
  }
}
