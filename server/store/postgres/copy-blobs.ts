/**
 * The attachments' part of `s15n store copy`: every blob an item of the SQLite source names or
 * that was uploaded to one of its trackers, its bytes read from the source's data dir into
 * chunks, with the references and uploads, in the copy's one write transaction.
 */
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { S15nError } from '../../../shared/errors.js';
import type { SqliteStore } from '../sqlite/index.js';
import type { PgBlobs } from './blobs.js';

export async function copyBlobs(client: pg.PoolClient, source: SqliteStore, blobs: PgBlobs): Promise<{ blobs: number; bytes: number }> {
  // A clone's roles (base, conflict) are its own business: a hub names blobs by its items alone.
  const refs = source.db.prepare("SELECT item_id, role, sha256, tracker_id FROM blob_refs WHERE role = 'item'").all() as { item_id: number; role: string; sha256: string; tracker_id: number }[];
  const uploads = source.db.prepare('SELECT tracker_id, sha256, uploaded_at FROM blob_uploads').all() as { tracker_id: number; sha256: string; uploaded_at: number }[];
  const wanted = new Set([...refs.map((r) => r.sha256), ...uploads.map((u) => u.sha256)]);
  const size = source.db.prepare<[string], { size: number; stored_at: number }>('SELECT size, stored_at FROM blobs WHERE sha256 = ?');
  let bytes = 0;
  for (const sha256 of [...wanted].sort()) {
    const row = size.get(sha256);
    const path = source.blobs.files.pathOf(sha256);
    if (!row || !existsSync(path)) throw new S15nError('internal', `the source names attachment content ${sha256} but does not hold it; nothing was copied`);
    await client.query('INSERT INTO blobs (sha256, size, stored_at) VALUES ($1, $2, $3)', [sha256, row.size, row.stored_at]);
    await blobs.writeChunks(client, sha256, path);
    bytes += row.size;
  }
  if (refs.length > 0) {
    await client.query('INSERT INTO blob_refs (item_id, role, sha256, tracker_id) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])', [
      refs.map((r) => r.item_id), refs.map((r) => r.role), refs.map((r) => r.sha256), refs.map((r) => r.tracker_id),
    ]);
  }
  if (uploads.length > 0) {
    await client.query('INSERT INTO blob_uploads (tracker_id, sha256, uploaded_at) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])', [
      uploads.map((u) => u.tracker_id), uploads.map((u) => u.sha256), uploads.map((u) => u.uploaded_at),
    ]);
  }
  return { blobs: wanted.size, bytes };
}
