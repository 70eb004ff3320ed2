/**
 * Users and rights in SQLite; the rules (hashing, names, rights order) are the engine-agnostic
 * ones of ../passwords.ts. Every name that comes in is taken as its NFC key (userNameKey).
 */
import type Database from 'better-sqlite3';
import { Conflict, NotFound } from '../../../shared/errors.js';
import { VerifiedLogins, checkPasswordInput, checkRight, checkUserName, hashPassword, userNameKey } from '../passwords.js';
import type { Right, User } from '../types.js';

interface UserRow {
  name: string;
  password_hash: string;
  admin: number;
  created_at: string;
}

const toUser = (row: UserRow): User => ({ name: row.name, admin: row.admin === 1, createdAt: row.created_at });

function prepare(db: Database.Database) {
  return {
    get: db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ?'),
    all: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY name'),
    insert: db.prepare('INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, ?, ?, ?)'),
    setHash: db.prepare('UPDATE users SET password_hash = ? WHERE name = ?'),
    right: db.prepare<[string, number], { level: Right }>('SELECT level FROM rights WHERE user_name = ? AND tracker_id = ?'),
    grant: db.prepare('INSERT INTO rights (user_name, tracker_id, level) VALUES (?, ?, ?) ON CONFLICT (user_name, tracker_id) DO UPDATE SET level = excluded.level'),
    anyAdmin: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM rights WHERE user_name = ? AND level = 'admin'"),
  };
}

export class UserTable {
  private readonly logins = new VerifiedLogins();
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.stmts = prepare(db);
  }

  async add(given: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    checkUserName(given);
    const name = userNameKey(given);
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

  async setPassword(given: string, password: string): Promise<void> {
    const name = userNameKey(given);
    checkPasswordInput(password);
    if (!this.stmts.get.get(name)) throw new NotFound(`unknown user "${name}"`);
    this.stmts.setHash.run(await hashPassword(password), name);
    this.logins.forget(name);
  }

  /** The user when the password is right, else null; an unknown user costs as much as a known one. */
  async verify(given: string, password: string): Promise<User | null> {
    const name = userNameKey(given);
    const row = this.stmts.get.get(name);
    const ok = await this.logins.check(name, password, row?.password_hash);
    return ok && row ? toUser(row) : null;
  }

  get(name: string): User | undefined {
    const row = this.stmts.get.get(userNameKey(name));
    return row ? toUser(row) : undefined;
  }

  list(): User[] {
    return this.stmts.all.all().map(toUser);
  }

  grant(given: string, trackerId: number, right: string): void {
    const userName = userNameKey(given);
    checkRight(right);
    if (!this.stmts.get.get(userName)) throw new NotFound(`unknown user "${userName}"`);
    this.stmts.grant.run(userName, trackerId, right);
  }

  rightOf(given: string, trackerId: number): Right | null {
    const userName = userNameKey(given);
    const user = this.stmts.get.get(userName);
    if (!user) return null;
    if (user.admin === 1) return 'admin';
    return this.stmts.right.get(userName, trackerId)?.level ?? null;
  }

  canListUsers(given: string): boolean {
    const userName = userNameKey(given);
    const user = this.stmts.get.get(userName);
    if (!user) return false;
    return user.admin === 1 || (this.stmts.anyAdmin.get(userName)?.n ?? 0) > 0;
  }
}
