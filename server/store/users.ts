/**
 * Users and rights: scrypt-hashed passwords checked in constant time, per-tracker rights
 * (view < edit < admin), and instance admins who hold every right.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { BadInput, Conflict, NotFound } from '../../shared/errors.js';
import { RIGHTS, type Right, type User } from './types.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
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

interface UserRow {
  name: string;
  password_hash: string;
  admin: number;
  created_at: string;
}

const toUser = (row: UserRow): User => ({ name: row.name, admin: row.admin === 1, createdAt: row.created_at });

function checkPasswordInput(password: string): void {
  if (typeof password !== 'string' || password.length === 0) throw new BadInput('password: must not be empty', [{ field: 'password', reason: 'must not be empty' }]);
  if (password.length > MAX_PASSWORD) throw new BadInput(`password: at most ${MAX_PASSWORD} characters`, [{ field: 'password', reason: `at most ${MAX_PASSWORD} characters` }]);
}

export class Users {
  /** Successful checks, so Basic auth on every request does not pay scrypt each time. */
  private readonly verified = new Map<string, { stored: string; mac: Buffer }>();
  private readonly macKey = randomBytes(32);
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ?'),
      all: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY name'),
      insert: db.prepare('INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, ?, ?, ?)'),
      setHash: db.prepare('UPDATE users SET password_hash = ? WHERE name = ?'),
      right: db.prepare<[string, number], { level: Right }>('SELECT level FROM rights WHERE user_name = ? AND tracker_id = ?'),
      grant: db.prepare('INSERT INTO rights (user_name, tracker_id, level) VALUES (?, ?, ?) ON CONFLICT (user_name, tracker_id) DO UPDATE SET level = excluded.level'),
      anyAdmin: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM rights WHERE user_name = ? AND level = 'admin'"),
    };
  }

  async add(name: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    if (typeof name !== 'string' || !USER_NAME.test(name)) {
      throw new BadInput(`user name: "${name}" is not valid (1-64 letters, digits, _ . @ -)`, [{ field: 'name', reason: 'letters, digits, _ . @ - only, 1 to 64' }]);
    }
    checkPasswordInput(password);
    if (this.stmts.get.get(name)) throw new Conflict(`user "${name}" already exists`);
    const hash = await hashPassword(password);
    const createdAt = new Date().toISOString();
    try {
      this.stmts.insert.run(name, hash, opts.admin ? 1 : 0, createdAt);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Conflict(`user "${name}" already exists`);
      throw error;
    }
    return { name, admin: opts.admin === true, createdAt };
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPasswordInput(password);
    if (!this.stmts.get.get(name)) throw new NotFound(`unknown user "${name}"`);
    this.stmts.setHash.run(await hashPassword(password), name);
    this.verified.delete(name);
  }

  /** The user when the password is right, else null; an unknown user costs as much as a known one. */
  async verify(name: string, password: string): Promise<User | null> {
    const row = this.stmts.get.get(name);
    const mac = createHmac('sha256', this.macKey).update(`${name}\0${password}`).digest();
    if (row) {
      const cached = this.verified.get(name);
      if (cached && cached.stored === row.password_hash && timingSafeEqual(cached.mac, mac)) return toUser(row);
    }
    const ok = await checkPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) return null;
    this.verified.set(name, { stored: row.password_hash, mac });
    return toUser(row);
  }

  get(name: string): User | undefined {
    const row = this.stmts.get.get(name);
    return row ? toUser(row) : undefined;
  }

  list(): User[] {
    return this.stmts.all.all().map(toUser);
  }

  grant(userName: string, trackerId: number, right: string): void {
    if (!RIGHTS.includes(right as Right)) {
      throw new BadInput(`right: "${right}" is not one of view, edit, admin`, [{ field: 'right', reason: 'one of view, edit, admin' }]);
    }
    if (!this.stmts.get.get(userName)) throw new NotFound(`unknown user "${userName}"`);
    this.stmts.grant.run(userName, trackerId, right);
  }

  rightOf(userName: string, trackerId: number): Right | null {
    const user = this.stmts.get.get(userName);
    if (!user) return null;
    if (user.admin === 1) return 'admin';
    return this.stmts.right.get(userName, trackerId)?.level ?? null;
  }

  canListUsers(userName: string): boolean {
    const user = this.stmts.get.get(userName);
    if (!user) return false;
    return user.admin === 1 || (this.stmts.anyAdmin.get(userName)?.n ?? 0) > 0;
  }
}

/** Checked against when the user does not exist, so timing does not reveal which names exist. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

/** Whether `held` includes `needed` (admin includes edit includes view). */
export function hasRight(held: Right | null, needed: Right): boolean {
  return held !== null && RIGHTS.indexOf(held) >= RIGHTS.indexOf(needed);
}
