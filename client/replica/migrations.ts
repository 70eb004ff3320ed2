/** The clone side's tables in an instance's SQLite file: remotes, replicas, per-item sync state, the sync log. */
import type { MigratedModule } from '../../server/store/index.js';

export const REPLICA_MODULE: MigratedModule = {
  name: 'replica',
  migrations: [
    // 1: the replica side: remotes, cloned trackers, per-item sync state, the sync log.
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
    // 2: a clean replica item's base is the item itself (base_from_item), not a second copy of its
    // values; the trigger writes the copy out the moment the item is changed by any write at all.
    `
  ALTER TABLE replica_items ADD COLUMN base_from_item INTEGER NOT NULL DEFAULT 0;
  CREATE TRIGGER replica_items_keep_base BEFORE UPDATE OF status, values_json, deleted ON items
  WHEN EXISTS (SELECT 1 FROM replica_items WHERE item_id = OLD.id AND base_from_item = 1)
  BEGIN
    UPDATE replica_items SET base_status = OLD.status, base_values = OLD.values_json, base_from_item = 0 WHERE item_id = OLD.id;
  END;
    `,
    // 3: a remote may name the PEM file of the certificate authority its https certificate is
    // checked against (a self-signed or private CA): `s15n remote add --ca FILE`.
    `
  ALTER TABLE remotes ADD COLUMN ca_file TEXT;
    `,
    // 4: partial clones (DESIGN §12): the selector a clone was made with, sent on every feed
    // request; and the items this clone pushed in a state its selector does not match, whose
    // departure on the next reload is worth a warning.
    `
  ALTER TABLE replicas ADD COLUMN where_json TEXT;
  ALTER TABLE replica_items ADD COLUMN unmatched_push INTEGER NOT NULL DEFAULT 0;
    `,
  ],
  // Release 0.1.0 kept these tables in its migrations 2 to 4, after the hub's first.
  fromLegacy: (userVersion) => Math.max(0, userVersion - 1),
};
