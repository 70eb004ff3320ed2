/**
 * Blobs in SQLite (DESIGN §14): one row per content (its bytes a file of ./blob-files.ts), the
 * references of the items that name it, the uploads a tracker received before an item named
 * them; a tracker's scope (what its callers may read), its usage against a quota, and the
 * garbage collection of blobs nothing refers to anymore.
 */
import type Database from 'better-sqlite3';
import { TooLarge } from '../../../shared/errors.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import { filesOf, formatSize } from '../../../shared/model/files.js';
import type { Values } from '../../../shared/model/values.js';
import type { GcReport } from '../blob-types.js';
import { BlobFiles } from './blob-files.js';

/** How long a blob no item refers to is kept: a push uploads before it names, a clone reads an item before its blobs. */
export const DEFAULT_GRACE_MS = 60 * 60 * 1000;
/** A temp or partial file this young may belong to a transfer still running (in this process or another), whatever the grace. */
const TRANSFER_AGE_MS = 60 * 60 * 1000;

const UNREFERENCED = 'NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.sha256 = blobs.sha256) AND NOT EXISTS (SELECT 1 FROM blob_uploads u WHERE u.sha256 = blobs.sha256)';

function prepare(db: Database.Database) {
  return {
    size: db.prepare<[string], { size: number }>('SELECT size FROM blobs WHERE sha256 = ?'),
    scoped: db.prepare<[string, number, number, string], { size: number }>(
      `SELECT size FROM blobs WHERE sha256 = ? AND (EXISTS (SELECT 1 FROM blob_refs WHERE tracker_id = ? AND sha256 = blobs.sha256)
         OR EXISTS (SELECT 1 FROM blob_uploads WHERE tracker_id = ? AND sha256 = ?))`,
    ),
    usage: db.prepare<[number, number], { bytes: number | null }>(
      'SELECT sum(size) AS bytes FROM blobs WHERE sha256 IN (SELECT sha256 FROM blob_refs WHERE tracker_id = ? UNION SELECT sha256 FROM blob_uploads WHERE tracker_id = ?)',
    ),
    insert: db.prepare<[string, number, number]>('INSERT INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET released_at = NULL'),
    upload: db.prepare<[number, string, number]>('INSERT INTO blob_uploads (tracker_id, sha256, uploaded_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET uploaded_at = excluded.uploaded_at'),
    itemRefs: db.prepare<[number], { sha256: string }>("SELECT sha256 FROM blob_refs WHERE item_id = ? AND role = 'item'"),
    addRef: db.prepare<[number, string, number]>("INSERT OR IGNORE INTO blob_refs (item_id, role, sha256, tracker_id) VALUES (?, 'item', ?, ?)"),
    dropRef: db.prepare<[number, string]>("DELETE FROM blob_refs WHERE item_id = ? AND role = 'item' AND sha256 = ?"),
    // A blob named again is no longer garbage, whatever an earlier collection marked.
    unmark: db.prepare<[string]>('UPDATE blobs SET released_at = NULL WHERE sha256 = ? AND released_at IS NOT NULL'),
    unmarkReferenced: db.prepare(`UPDATE blobs SET released_at = NULL WHERE released_at IS NOT NULL AND NOT (${UNREFERENCED})`),
    expireUploads: db.prepare<[number]>('DELETE FROM blob_uploads WHERE uploaded_at <= ?'),
    mark: db.prepare<[number]>(`UPDATE blobs SET released_at = ? WHERE released_at IS NULL AND ${UNREFERENCED}`),
    garbage: db.prepare<[number, number], { sha256: string; size: number }>(`SELECT sha256, size FROM blobs WHERE released_at <= ? AND stored_at <= ? AND ${UNREFERENCED}`),
    remove: db.prepare<[string]>('DELETE FROM blobs WHERE sha256 = ?'),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM blobs'),
  };
}

const filesFields = new WeakMap<readonly FieldDef[], boolean>();

/** Whether a tracker has a files field; asked on every item write, answered once per schema. */
export function hasFilesField(fields: readonly FieldDef[]): boolean {
  let known = filesFields.get(fields);
  if (known === undefined) filesFields.set(fields, (known = fields.some((f) => f.type === 'files')));
  return known;
}

export class BlobTable {
  readonly files: BlobFiles;
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(
    db: Database.Database,
    dataDir: string,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.stmts = prepare(db);
    this.files = new BlobFiles(dataDir);
  }

  /** The size of a blob this instance holds, or undefined. */
  sizeOf(sha256: string): number | undefined {
    return this.stmts.size.get(sha256)?.size;
  }

  /** The size of a blob the tracker's callers may read: one of its items refers to it, or it was uploaded to the tracker. */
  scopedSize(trackerId: number, sha256: string): number | undefined {
    return this.stmts.scoped.get(sha256, trackerId, trackerId, sha256)?.size;
  }

  /** Bytes of the distinct blobs a tracker holds or was sent. */
  usage(trackerId: number): number {
    return this.stmts.usage.get(trackerId, trackerId)?.bytes ?? 0;
  }

  count(): number {
    return this.stmts.count.get()!.n;
  }

  /**
   * Records a flushed temp file as the blob `sha256` (already verified by the caller): renamed
   * into place under its hash and its row written in one write transaction, so a collection
   * running in another process never removes it between the two. A blob already there keeps
   * its file; the temp one goes. With `trackerId`, counts as uploaded to that tracker, within its
   * quota (TooLarge beyond it, nothing kept). Resolves once the directory entry is flushed too:
   * a power cut before that may leave a row without its file, which every reader checks for
   * (the file's existence, not the row alone, says a blob is here), and nothing names it yet.
   */
  async adopt(temp: string, sha256: string, size: number, upload?: { trackerId: number; quota: number }): Promise<{ created: boolean }> {
    const result = this.transaction(() => {
      const known = this.sizeOf(sha256) !== undefined && this.files.exists(sha256);
      if (upload) {
        const inScope = this.scopedSize(upload.trackerId, sha256) !== undefined;
        const used = this.usage(upload.trackerId);
        if (!inScope && used + size > upload.quota) {
          throw new TooLarge(`the attachments of this tracker would pass its quota of ${formatSize(upload.quota)} (${formatSize(used)} used, this file ${formatSize(size)})`);
        }
      }
      if (!known) this.files.place(temp, sha256);
      this.stmts.insert.run(sha256, size, Date.now());
      if (upload) this.stmts.upload.run(upload.trackerId, sha256, Date.now());
      return { created: !known };
    });
    if (result.created) await this.files.flush(sha256);
    return result;
  }

  /** Keeps the references of an item's current values in step with them; every item write of a tracker with a files field calls it. */
  syncItemRefs(trackerId: number, fields: readonly FieldDef[], itemId: number, values: Readonly<Values>): void {
    const wanted = new Set(filesOf(fields, values).map((f) => f.sha256));
    const held = new Set(this.stmts.itemRefs.all(itemId).map((r) => r.sha256));
    for (const sha256 of held) if (!wanted.has(sha256)) this.stmts.dropRef.run(itemId, sha256);
    for (const sha256 of wanted) {
      if (held.has(sha256)) continue;
      this.stmts.addRef.run(itemId, sha256, trackerId);
      this.stmts.unmark.run(sha256);
    }
  }

  /**
   * Removes blobs no item version refers to (an item's values; on a clone also a base and the
   * remote side of an open conflict) and no recent upload waits for. A blob is only removed once
   * an earlier collection, at least `graceMs` before, found it unreferenced too: a clone reading
   * the feed may still fetch the blob of a version it saw, and a push uploads before it names.
   * Files go inside the transaction, so a concurrent writer of the same blob waits for it.
   */
  collect(graceMs = DEFAULT_GRACE_MS, opts: { sweep?: boolean; now?: number } = {}): GcReport {
    const now = opts.now ?? Date.now();
    const cutoff = now - Math.max(0, graceMs);
    const report: GcReport = this.transaction(() => {
      this.stmts.unmarkReferenced.run();
      this.stmts.expireUploads.run(cutoff);
      this.stmts.mark.run(now);
      const garbage = this.stmts.garbage.all(cutoff, cutoff);
      for (const { sha256 } of garbage) {
        this.stmts.remove.run(sha256);
        this.files.remove(sha256);
      }
      return { removed: garbage.length, bytes: garbage.reduce((sum, b) => sum + b.size, 0), kept: this.count() };
    });
    // Under the write lock: a blob another process is placing has its row by the time we look.
    if (opts.sweep) report.swept = this.transaction(() => this.files.sweep({ blobs: cutoff, transfers: Math.min(cutoff, now - TRANSFER_AGE_MS) }, (sha256) => this.sizeOf(sha256) !== undefined));
    return report;
  }
}
