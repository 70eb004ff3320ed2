/** Users and rights on PostgreSQL; the rules (hashing, names, rights order) are the engine-agnostic ones of ../passwords.ts. */
import { Conflict, NotFound } from '../../../shared/errors.js';
import { VerifiedLogins, checkPasswordInput, checkRight, checkUserName, hashPassword } from '../passwords.js';
import type { Right, User } from '../types.js';
import type { PgDatabase } from './database.js';
import { type UserRow, toUser } from './rows.js';

const COLUMNS = 'name, password_hash, admin, created_at';

export class PgUsers {
  private readonly logins = new VerifiedLogins();

  constructor(private readonly db: PgDatabase) {}

  private async row(name: string): Promise<UserRow | undefined> {
    // Basic auth may carry any name; none with U+0000 exists (text cannot hold it, and user names refuse it).
    if (name.includes('\u0000')) return undefined;
    return (await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE name = $1`, [name], 'user'))[0];
  }

  async add(name: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    checkUserName(name);
    checkPasswordInput(password);
    if (await this.row(name)) throw new Conflict(`user "${name}" already exists`);
    const hash = await hashPassword(password);
    const createdAt = new Date().toISOString();
    // ON CONFLICT: another process added the same name while this one hashed.
    const added = await this.db.query('INSERT INTO users (name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING name', [
      name,
      hash,
      opts.admin === true,
      createdAt,
    ]);
    if (added.length === 0) throw new Conflict(`user "${name}" already exists`);
    return { name, admin: opts.admin === true, createdAt };
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPasswordInput(password);
    if (!(await this.row(name))) throw new NotFound(`unknown user "${name}"`);
    await this.db.query('UPDATE users SET password_hash = $1 WHERE name = $2', [await hashPassword(password), name]);
    this.logins.forget(name);
  }

  /** The user when the password is right, else null; an unknown user costs as much as a known one. */
  async verify(name: string, password: string): Promise<User | null> {
    const row = await this.row(name);
    // A hash changed by another process is a different `stored`: the cached check no longer counts.
    const ok = await this.logins.check(name, password, row?.password_hash);
    return ok && row ? toUser(row) : null;
  }

  async get(name: string): Promise<User | undefined> {
    const row = await this.row(name);
    return row ? toUser(row) : undefined;
  }

  async list(): Promise<User[]> {
    // Byte order, as SQLite sorts: the same list whatever the database's collation.
    return (await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY name COLLATE "C"`)).map(toUser);
  }

  async grant(userName: string, trackerId: number, right: string): Promise<void> {
    checkRight(right);
    if (!(await this.row(userName))) throw new NotFound(`unknown user "${userName}"`);
    await this.db.query(
      'INSERT INTO rights (user_name, tracker_id, level) VALUES ($1, $2, $3) ON CONFLICT (user_name, tracker_id) DO UPDATE SET level = excluded.level',
      [userName, trackerId, right],
    );
  }

  async rightOf(userName: string, trackerId: number): Promise<Right | null> {
    const [row] = await this.db.query<{ admin: boolean; level: Right | null }>(
      'SELECT u.admin, r.level FROM users u LEFT JOIN rights r ON r.user_name = u.name AND r.tracker_id = $2 WHERE u.name = $1',
      [userName, trackerId],
      'right-of',
    );
    if (!row) return null;
    return row.admin ? 'admin' : row.level;
  }

  async canListUsers(userName: string): Promise<boolean> {
    const [row] = await this.db.query<{ admin: boolean; admins: number }>(
      "SELECT u.admin, (SELECT count(*) FROM rights r WHERE r.user_name = u.name AND r.level = 'admin') AS admins FROM users u WHERE u.name = $1",
      [userName],
    );
    return row !== undefined && (row.admin || row.admins > 0);
  }
}
