/** The remotes table: the other instances this one clones from (their credentials live apart, in credentials.json or the environment). */
import type Database from 'better-sqlite3';

export interface Remote {
  name: string;
  url: string;
  user: string;
  createdAt: string;
  /** Absolute path of the PEM file of the CA its https certificate is checked against (`--ca`), when one was given. */
  ca?: string;
}

interface RemoteRow {
  name: string;
  url: string;
  user_name: string;
  created_at: string;
  ca_file: string | null;
}

function toRemote(row: RemoteRow): Remote {
  return { name: row.name, url: row.url, user: row.user_name, createdAt: row.created_at, ...(row.ca_file ? { ca: row.ca_file } : {}) };
}

export class RemoteTable {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], RemoteRow>('SELECT * FROM remotes WHERE name = ?'),
      all: db.prepare<[], RemoteRow>('SELECT * FROM remotes ORDER BY name'),
      insert: db.prepare('INSERT INTO remotes (name, url, user_name, created_at, ca_file) VALUES (?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM remotes WHERE name = ?'),
    };
  }

  get(name: string): Remote | undefined {
    const row = this.stmts.get.get(name);
    return row ? toRemote(row) : undefined;
  }

  list(): Remote[] {
    return this.stmts.all.all().map(toRemote);
  }

  insert(remote: Remote): void {
    this.stmts.insert.run(remote.name, remote.url, remote.user, remote.createdAt, remote.ca ?? null);
  }

  remove(name: string): void {
    this.stmts.remove.run(name);
  }
}
