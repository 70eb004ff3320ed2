/**
 * Attachments' contents on PostgreSQL (DESIGN §14): each blob once, its bytes in chunks of bytea
 * (streamed in and out a chunk at a time, never whole in memory), the references of every item
 * write, a tracker's scope and quota, and the collection after a grace period, with the rules of
 * the SQLite engine (server/store/sqlite/blobs.ts). Writers naming a blob hold it FOR SHARE until
 * they commit, so a collection (which takes its candidates FOR UPDATE, then checks them again)
 * never removes a blob a concurrent write is about to name.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { TooLarge } from '../../../shared/errors.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import { filesOf, formatSize, isSha256 } from '../../../shared/model/files.js';
import type { Values } from '../../../shared/model/values.js';
import { receiveUpload } from '../blob-intake.js';
import type { BlobRead, ByteRange, GcReport, PutBlobOptions, StoredBlob } from '../blob-types.js';
import type { Item } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';

/** Bytes per stored chunk: a 64 MiB file is 64 rows, and a read holds one chunk at a time. */
export const CHUNK_BYTES = 1024 * 1024;
const DEFAULT_GRACE_MS = 60 * 60 * 1000;
/** A temp file this young may belong to an upload still running (in this process or another). */
const TRANSFER_AGE_MS = 60 * 60 * 1000;
/** Where uploads wait to be hashed: one directory per machine, so a collection can sweep what a killed process left. */
const TEMP_DIR = join(tmpdir(), `s15n-pg-uploads-${process.getuid?.() ?? 0}`);

/**
 * The temp directory, made private to this user. One somebody else made (or a symlink) is
 * refused: its owner could swap a file between its hashing and its reading into the database.
 */
function tempDir(): string {
  mkdirSync(TEMP_DIR, { recursive: true, mode: 0o700 });
  const stat = lstatSync(TEMP_DIR);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o077) !== 0) {
    throw new Error(`${TEMP_DIR} is not a private directory of this user; remove it`);
  }
  return TEMP_DIR;
}
const UNREFERENCED = 'NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.sha256 = blobs.sha256) AND NOT EXISTS (SELECT 1 FROM blob_uploads u WHERE u.sha256 = blobs.sha256)';
const IN_SCOPE = '(EXISTS (SELECT 1 FROM blob_refs r WHERE r.tracker_id = $1 AND r.sha256 = blobs.sha256) OR EXISTS (SELECT 1 FROM blob_uploads u WHERE u.tracker_id = $1 AND u.sha256 = blobs.sha256))';

export function hasFiles(fields: readonly FieldDef[]): boolean {
  return fields.some((f) => f.type === 'files');
}

/** The sha256s the files fields of some values name. */
export function namedBlobs(fields: readonly FieldDef[], values: readonly Readonly<Values>[]): string[] {
  const hashes = new Set<string>();
  for (const v of values) for (const ref of filesOf(fields, v)) hashes.add(ref.sha256);
  return [...hashes].sort();
}

export class PgBlobs {
  constructor(private readonly db: PgDatabase) {}

  /** The sizes of the blobs among `hashes` this instance holds, locked FOR SHARE until the transaction ends (a local write may name any). */
  async heldSizes(client: Queryable, hashes: readonly string[]): Promise<Map<string, number>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.db.runner(client)<{ sha256: string; size: number }>('SELECT sha256, size FROM blobs WHERE sha256 = ANY($1::text[]) ORDER BY sha256 FOR SHARE', [hashes]);
    return new Map(rows.map((r) => [r.sha256, r.size]));
  }

  /** The same for the blobs a tracker's writers may name (sent to it, or named by its items): what a push may use. */
  async scopedSizes(client: Queryable | undefined, trackerId: number, hashes: readonly string[], lock = true): Promise<Map<string, number>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.db.runner(client)<{ sha256: string; size: number }>(
      `SELECT sha256, size FROM blobs WHERE sha256 = ANY($2::text[]) AND ${IN_SCOPE} ORDER BY sha256 ${lock ? 'FOR SHARE' : ''}`,
      [trackerId, hashes],
    );
    return new Map(rows.map((r) => [r.sha256, r.size]));
  }

  async scopedSize(trackerId: number, sha256: string): Promise<number | undefined> {
    if (!isSha256(sha256)) return undefined;
    return (await this.scopedSizes(undefined, trackerId, [sha256], false)).get(sha256);
  }

  /** Keeps the references of the written items' values in step with them; call it in the write's transaction, before its commitWrites. */
  async syncRefs(client: Queryable, fields: readonly FieldDef[], writes: readonly { item: Item }[]): Promise<void> {
    if (!hasFiles(fields) || writes.length === 0) return;
    const last = new Map(writes.map((w) => [w.item.id, w.item]));
    const ids = [...last.keys()];
    const refs = [...last.values()].flatMap((item) => [...new Set(filesOf(fields, item.values).map((f) => f.sha256))].map((sha256) => ({ item, sha256 })));
    const run = this.db.runner(client);
    await run("DELETE FROM blob_refs WHERE role = 'item' AND item_id = ANY($1::bigint[])", [ids]);
    if (refs.length === 0) return;
    await run(
      "INSERT INTO blob_refs (item_id, role, sha256, tracker_id) SELECT i, 'item', s, t FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(i, s, t) ON CONFLICT DO NOTHING",
      [refs.map((r) => r.item.id), refs.map((r) => r.sha256), refs.map((r) => r.item.trackerId)],
    );
    // A blob named again is no longer garbage, whatever an earlier collection marked.
    await run('UPDATE blobs SET released_at = NULL WHERE sha256 = ANY($1::text[]) AND released_at IS NOT NULL', [[...new Set(refs.map((r) => r.sha256))]]);
  }

  /** Stores `body`: to a temp file first (hashed, counted, limited), then its row and chunks in one transaction. */
  async put(trackerId: number | null, body: AsyncIterable<Uint8Array>, opts: PutBlobOptions): Promise<StoredBlob> {
    const temp = join(tempDir(), `${process.pid}-${randomUUID()}`);
    try {
      const { quota } = opts.limits;
      const intake = await receiveUpload(body, temp, opts);
      const { sha256 } = intake;
      const created = await this.db.transaction((client) => this.store(client, trackerId, sha256, intake.size, temp, quota));
      return { sha256, size: intake.size, created };
    } finally {
      rmSync(temp, { force: true });
    }
  }

  private async store(client: pg.PoolClient, trackerId: number | null, sha256: string, size: number, temp: string, quota: number): Promise<boolean> {
    const run = this.db.runner(client);
    if (trackerId !== null) {
      // Uploads to one tracker one at a time, so two of them never both pass its quota (NO KEY: item writes go on).
      await run('SELECT id FROM trackers WHERE id = $1 FOR NO KEY UPDATE', [trackerId]);
      const inScope = (await this.scopedSizes(client, trackerId, [sha256], false)).has(sha256);
      const [usage] = await run<{ bytes: number | null }>(
        'SELECT sum(size)::bigint AS bytes FROM blobs WHERE sha256 IN (SELECT sha256 FROM blob_refs WHERE tracker_id = $1 UNION SELECT sha256 FROM blob_uploads WHERE tracker_id = $1)',
        [trackerId],
      );
      const used = Number(usage?.bytes ?? 0);
      if (!inScope && used + size > quota) {
        throw new TooLarge(`the attachments of this tracker would pass its quota of ${formatSize(quota)} (${formatSize(used)} used, this file ${formatSize(size)})`);
      }
    }
    const [row] = await run<{ inserted: boolean }>(
      'INSERT INTO blobs (sha256, size, stored_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET released_at = NULL RETURNING (xmax = 0) AS inserted',
      [sha256, size, Date.now()],
    );
    if (row!.inserted) await this.writeChunks(client, sha256, temp);
    if (trackerId !== null) {
      await run('INSERT INTO blob_uploads (tracker_id, sha256, uploaded_at) VALUES ($1, $2, $3) ON CONFLICT (tracker_id, sha256) DO UPDATE SET uploaded_at = excluded.uploaded_at', [trackerId, sha256, Date.now()]);
    }
    return row!.inserted;
  }

  /** The bytes of the file at `path` as the chunks of `sha256` (its row written already). */
  async writeChunks(client: Queryable, sha256: string, path: string): Promise<void> {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK_BYTES);
      for (let n = 0; ; n++) {
        const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, n * CHUNK_BYTES);
        if (bytesRead === 0) break;
        await client.query('INSERT INTO blob_chunks (sha256, n, data) VALUES ($1, $2, $3)', [sha256, n, buffer.subarray(0, bytesRead)]);
        if (bytesRead < CHUNK_BYTES) break;
      }
    } finally {
      await file.close();
    }
  }

  /** The bytes of a blob the tracker's callers may read, a chunk at a time; a blob collected mid-read ends the stream with an error. */
  async read(trackerId: number, sha256: string, range?: ByteRange): Promise<BlobRead | undefined> {
    const size = await this.scopedSize(trackerId, sha256);
    if (size === undefined) return undefined;
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const db = this.db;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let n = Math.floor(start / CHUNK_BYTES); end >= start && n <= Math.floor(end / CHUNK_BYTES); n++) {
        const [row] = await db.query<{ data: Buffer }>('SELECT data FROM blob_chunks WHERE sha256 = $1 AND n = $2', [sha256, n]);
        if (!row) throw new Error(`blob ${sha256} is gone (collected while it was read)`);
        const offset = n * CHUNK_BYTES;
        yield row.data.subarray(Math.max(0, start - offset), Math.min(row.data.length, end - offset + 1));
      }
    }
    return { size, stream: Readable.from(chunks(), { objectMode: false }) };
  }

  /** Removes the blobs no item version refers to and no recent upload waits for, once a collection at least `graceMs` before found them so. */
  async collect(graceMs = DEFAULT_GRACE_MS, opts: { sweep?: boolean } = {}): Promise<GcReport> {
    const now = Date.now();
    const cutoff = now - Math.max(0, graceMs);
    const report = await this.removeGarbage(now, cutoff);
    if (opts.sweep) report.swept = sweepTemp(Math.min(cutoff, now - TRANSFER_AGE_MS));
    return report;
  }

  private removeGarbage(now: number, cutoff: number): Promise<GcReport> {
    return this.db.transaction(async (client) => {
      const run = this.db.runner(client);
      await run(`UPDATE blobs SET released_at = NULL WHERE released_at IS NOT NULL AND NOT (${UNREFERENCED})`);
      await run('DELETE FROM blob_uploads WHERE uploaded_at <= $1', [cutoff]);
      await run(`UPDATE blobs SET released_at = $1 WHERE released_at IS NULL AND ${UNREFERENCED}`, [now]);
      const candidates = await run<{ sha256: string }>(`SELECT sha256 FROM blobs WHERE released_at <= $1 AND stored_at <= $1 AND ${UNREFERENCED} ORDER BY sha256 FOR UPDATE`, [cutoff]);
      // Checked again once locked: a writer that named one meanwhile has committed its reference by now.
      const removed = candidates.length === 0 ? [] : await run<{ size: number }>(`DELETE FROM blobs WHERE sha256 = ANY($1::text[]) AND ${UNREFERENCED} RETURNING size`, [candidates.map((c) => c.sha256)]);
      const [count] = await run<{ n: number }>('SELECT count(*)::int AS n FROM blobs');
      return { removed: removed.length, bytes: removed.reduce((sum, r) => sum + Number(r.size), 0), kept: count!.n };
    });
  }
}

/** Removes the temp files of uploads last written before `before` (their process died with them unhashed). */
function sweepTemp(before: number): { files: number; bytes: number } {
  const swept = { files: 0, bytes: 0 };
  if (!existsSync(TEMP_DIR)) return swept;
  for (const name of readdirSync(TEMP_DIR)) {
    const stat = statSync(join(TEMP_DIR, name), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs >= before) continue;
    rmSync(join(TEMP_DIR, name), { force: true });
    swept.files += 1;
    swept.bytes += stat.size;
  }
  return swept;
}
