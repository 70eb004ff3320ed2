/** The SQLite file of an instance: where it lives, how it is created (0700 dir, 0600 file) and opened (WAL). */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { NotFound } from '../../../shared/errors.js';

export const DB_FILE = 's15n.db';

export function databaseExists(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), DB_FILE));
}

/** Opens the database of `dataDir`; with `create`, makes the directory (0700) and the file (0600) first. */
export function openDatabase(dataDir: string, opts: { create?: boolean } = {}): { dir: string; db: Database.Database } {
  const dir = resolve(dataDir);
  const file = join(dir, DB_FILE);
  const isNew = !existsSync(file);
  if (isNew && !opts.create) throw new NotFound(`no s15n instance at ${dir}; run \`s15n init\``);
  if (isNew) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Created 0600 before SQLite opens it, so no other user can open it while it is readable
    // (SQLite gives the -wal and -shm files the mode of the database file).
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file);
  if (isNew) {
    chmodSync(dir, 0o700);
    chmodSync(file, 0o600);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return { dir, db };
}
