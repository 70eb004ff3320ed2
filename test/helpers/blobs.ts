/** Attachments for tests: bytes stored as a blob of a real store, the file reference naming them, and what a data dir holds on disk. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { SqliteStore } from '../../server/store/index.js';
import { putBlob } from '../../server/store/sqlite/blob-put.js';
import { fileTypeOf } from '../../shared/model/file-types.js';
import type { FileRef } from '../../shared/model/files.js';

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic bytes of any size (a seeded xorshift stream: incompressible, never all alike). */
export function bytesOf(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Stores `bytes` in the store (no tracker: as a local attach does) and answers the reference an item names them by. */
export async function storeBlob(store: SqliteStore, bytes: Buffer, name = 'file.bin'): Promise<FileRef> {
  const stored = await putBlob(store.blobs, null, Readable.from([bytes]), { limits: { maxSize: Number.MAX_SAFE_INTEGER, quota: Number.MAX_SAFE_INTEGER } });
  return { name, size: stored.size, type: fileTypeOf(name), sha256: stored.sha256 };
}

/** The blob files of a data dir, by the hash they are named after (temp and partial files apart). */
export function blobFiles(dataDir: string): { blobs: string[]; tmp: string[]; partial: string[] } {
  const root = join(dataDir, 'blobs');
  const list = (dir: string) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)) : []);
  const shards = existsSync(root) ? readdirSync(root).filter((d) => /^[0-9a-f]{2}$/.test(d)) : [];
  return { blobs: shards.flatMap((d) => list(d)).sort(), tmp: list('tmp'), partial: list('partial') };
}

/** Whether every blob file holds exactly the bytes of its name: nothing half-written or wrong is ever kept under a hash. */
export function everyBlobWhole(dataDir: string): boolean {
  return blobFiles(dataDir).blobs.every((hash) => sha256Of(readFileSync(join(dataDir, 'blobs', hash.slice(0, 2), hash))) === hash);
}
