/**
 * The tables of attachments in an instance's SQLite file, a module of its own (DESIGN §14): the
 * blobs (their bytes are files under the data dir, named by hash), which items refer to which
 * blob, and which tracker a blob was uploaded to before an item named it.
 */
import type Database from 'better-sqlite3';
import type { FieldDef } from '../../../shared/model/fields.js';
import type { MigratedModule } from './migrate.js';

/**
 * Release 0.1.0 took a files value as a list of names and stored no content (clones skipped the
 * field). Such a name is no attachment: it leaves the value, and is kept in legacy_file_names
 * with its item and field, so nothing is lost unseen. The item's version and seq stay: no clone
 * ever held the field, and a new clone reads the value as it now is.
 */
function moveLegacyNames(db: Database.Database): void {
  db.exec('CREATE TABLE legacy_file_names (item_id INTEGER NOT NULL, field TEXT NOT NULL, names TEXT NOT NULL, PRIMARY KEY (item_id, field))');
  const keep = db.prepare('INSERT INTO legacy_file_names (item_id, field, names) VALUES (?, ?, ?)');
  const write = db.prepare('UPDATE items SET values_json = ? WHERE id = ?');
  const items = db.prepare<[number], { id: number; values_json: string }>('SELECT id, values_json FROM items WHERE tracker_id = ? AND deleted = 0');
  for (const tracker of db.prepare<[], { id: number; fields: string }>('SELECT id, fields FROM trackers').all()) {
    const names = (JSON.parse(tracker.fields) as FieldDef[]).filter((f) => f.type === 'files').map((f) => f.name);
    if (names.length === 0) continue;
    for (const item of items.all(tracker.id)) {
      const values = JSON.parse(item.values_json) as Record<string, unknown>;
      let changed = false;
      for (const name of names) {
        const value = values[name];
        if (!Array.isArray(value) || !value.some((entry) => typeof entry === 'string')) continue;
        keep.run(item.id, name, JSON.stringify(value.filter((entry) => typeof entry === 'string')));
        const rest = value.filter((entry) => typeof entry !== 'string');
        if (rest.length > 0) values[name] = rest;
        else delete values[name];
        changed = true;
      }
      if (changed) write.run(JSON.stringify(values), item.id);
    }
  }
}

export const BLOBS_MODULE: MigratedModule = {
  name: 'blobs',
  migrations: [
    // 1: blobs by sha256 (times in epoch ms: released_at marks one no item referred to when garbage collection last looked),
    // the references of item versions (role 'item' for an item's current values; the clone side adds its bases and conflicts),
    // and uploads not yet referred to, per tracker.
    `
  CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    released_at INTEGER
  );
  CREATE TABLE blob_refs (
    item_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    tracker_id INTEGER NOT NULL,
    PRIMARY KEY (item_id, role, sha256)
  );
  CREATE INDEX blob_refs_by_blob ON blob_refs (sha256);
  CREATE INDEX blob_refs_by_tracker ON blob_refs (tracker_id, sha256);
  CREATE TABLE blob_uploads (
    tracker_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    PRIMARY KEY (tracker_id, sha256)
  );
    `,
    // 2: files values of release 0.1.0 (names without content) leave the values.
    moveLegacyNames,
  ],
  // Release 0.1.0 had no attachments.
  fromLegacy: () => 0,
};
