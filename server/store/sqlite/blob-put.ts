/** A blob written into an SQLite instance from a stream: to a temp file (hashed, counted, flushed), checked, then renamed into place with its row. */
import { rmSync } from 'node:fs';
import { BadInput, TooLarge } from '../../../shared/errors.js';
import { formatSize } from '../../../shared/model/files.js';
import { receiveInto } from '../blob-intake.js';
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
    const { maxSize, quota } = opts.limits;
    const tooLarge = () => new TooLarge(`the file is larger than the limit of this instance (${formatSize(maxSize)}); nothing was kept`);
    const intake = await receiveInto(body, temp, { maxSize, tooLarge });
    const sha256 = intake.hash.digest('hex');
    if (opts.sha256 !== undefined && sha256 !== opts.sha256) {
      throw new BadInput(`the bytes sent hash to ${sha256}, not ${opts.sha256}; nothing was kept`, [{ field: 'body', reason: 'does not match the sha256 of the path' }]);
    }
    const { created } = await blobs.adopt(temp, sha256, intake.size, trackerId === null ? undefined : { trackerId, quota });
    return { sha256, size: intake.size, created };
  } finally {
    rmSync(temp, { force: true });
  }
}
