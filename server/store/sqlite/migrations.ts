/** The hub's tables in an instance's SQLite file: trackers, items with the change sequence, users, rights, push keys, the key index. */
import type { MigratedModule } from './migrate.js';

export const HUB_MODULE: MigratedModule = {
  name: 'hub',
  migrations: [
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
    // 2: the key index (DESIGN §13): each live item's value of each key field, so a write checks
    // uniqueness and a pushed create finds its match by one index lookup. Not unique by itself:
    // a clone applies its remote's word (trusted writes), which may pass through a moment where
    // two local copies hold one value; validated writes check it first.
    `
  CREATE TABLE item_keys (
    tracker_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (tracker_id, field, value, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX item_keys_by_item ON item_keys (item_id);
  `,
  ],
  // Release 0.1.0 kept the hub in its first migration.
  fromLegacy: (userVersion) => Math.min(userVersion, 1),
};
