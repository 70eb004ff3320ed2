/** A blob written into an SQLite instance from a stream: to a temp file (hashed, counted, flushed), checked, then renamed into place with its row. */
import { rmSync } from 'node:fs';
import { receiveUpload } from '../blob-intake.js';
import type { PutBlobOptions, StoredBlob } from '../blob-types.js';
import type { BlobTable } from './blobs.js';

/**
 * Stores `body` as a blob. A hash other than the one named, a size past the limit or a tracker
 * past its quota refuses it (BadInput, TooLarge) and keeps nothing; the temp file always goes.
 * With `trackerId`, the blob counts as uploaded to that tracker (its callers may then read it).
 */
export async function putBlob(blobs: BlobTable, trackerId: number | null, body: AsyncIterable<Uint8Array>, opts: PutBlobOptions): Promise<StoredBlob> {
  const temp = blobs.files.tempPath();
  try {
    const { quota } = opts.limits;
    const intake = await receiveUpload(body, temp, opts);
    const { sha256 } = intake;
    const { created } = await blobs.adopt(temp, sha256, intake.size, trackerId === null ? undefined : { trackerId, quota });
    return { sha256, size: intake.size, created };
  } finally {
    rmSync(temp, { force: true });
  }
}
