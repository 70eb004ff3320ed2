/** The schema of an instance's SQLite file, as ordered migrations applied by PRAGMA user_version. */
import type Database from 'better-sqlite3';

/** Index i holds the SQL that takes user_version i to i + 1. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  // 1: the instance: trackers, items with the instance-wide change sequence, users, rights, push keys.
  `
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO counters (name, value) VALUES ('seq', 0);
  CREATE TABLE trackers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL,
    statuses TEXT NOT NULL,
    schema_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    tracker_id INTEGER NOT NULL REFERENCES trackers(id),
    status TEXT NOT NULL,
    values_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by TEXT
  );
  CREATE UNIQUE INDEX items_feed ON items (tracker_id, seq);
  CREATE INDEX items_by_tracker ON items (tracker_id, id);
  CREATE TABLE autoincrements (
    tracker_id INTEGER NOT NULL REFERENCES trackers(id),
    field TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tracker_id, field)
  );
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE rights (
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    tracker_id INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
    level TEXT NOT NULL CHECK (level IN ('view', 'edit', 'admin')),
    PRIMARY KEY (user_name, tracker_id)
  );
  CREATE TABLE idempotency_keys (
    tracker_id INTEGER NOT NULL REFERENCES trackers(id),
    key TEXT NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tracker_id, key)
  );
  `,
  // 2: the replica side: remotes, cloned trackers, per-item sync state, the sync log.
  `
  CREATE TABLE remotes (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE replicas (
    tracker_id INTEGER PRIMARY KEY REFERENCES trackers(id),
    remote_name TEXT NOT NULL,
    remote_tracker_id INTEGER NOT NULL,
    remote_tracker_name TEXT NOT NULL,
    remote_schema_hash TEXT NOT NULL,
    remote_fields TEXT NOT NULL,
    field_map TEXT NOT NULL,
    token INTEGER NOT NULL DEFAULT 0,
    cloned_at TEXT NOT NULL,
    last_sync_at TEXT
  );
  CREATE TABLE replica_items (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    tracker_id INTEGER NOT NULL,
    remote_id INTEGER,
    base_version INTEGER,
    base_status TEXT,
    base_values TEXT,
    create_key TEXT,
    conflict TEXT,
    synced_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX replica_items_remote ON replica_items (tracker_id, remote_id);
  CREATE INDEX replica_items_conflicts ON replica_items (tracker_id) WHERE conflict IS NOT NULL;
  CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    tracker_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    report TEXT,
    pid INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sync_runs_by_tracker ON sync_runs (tracker_id, id);
  `,
  // 3: a clean replica item's base is the item itself (base_from_item), not a second copy of its
  // values; the trigger writes the copy out the moment the item is changed by any write at all.
  `
  ALTER TABLE replica_items ADD COLUMN base_from_item INTEGER NOT NULL DEFAULT 0;
  CREATE TRIGGER replica_items_keep_base BEFORE UPDATE OF status, values_json, deleted ON items
  WHEN EXISTS (SELECT 1 FROM replica_items WHERE item_id = OLD.id AND base_from_item = 1)
  BEGIN
    UPDATE replica_items SET base_status = OLD.status, base_values = OLD.values_json, base_from_item = 0 WHERE item_id = OLD.id;
  END;
  `,
  // 4: a remote may name the PEM file of the certificate authority its https certificate is
  // checked against (a self-signed or private CA): `s15n remote add --ca FILE`.
  `
  ALTER TABLE remotes ADD COLUMN ca_file TEXT;
  `,
];

/** Brings the database to the newest schema, each step in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`this data dir was written by a newer s15n (schema ${current}; this version knows ${MIGRATIONS.length})`);
  }
  // One step per transaction, the version read again under the write lock: two processes opening
  // an older data dir at once (the server and a CLI command) migrate it once.
  const step = db
    .transaction((): boolean => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version >= MIGRATIONS.length) return false;
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
      return true;
    })
    .immediate;
  while (step()) {
    // next step
  }
}
