/**
 * Bytes on their way into a blob, whatever the engine: streamed to a file while they are hashed
 * and counted, never held whole in memory, stopped as soon as they pass a limit, and flushed to
 * the disk (fsync) before anyone may rename the file into place. The hub's uploads and the
 * clone's downloads both come in through here.
 */
import { type Hash, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { BadInput, TooLarge } from '../../shared/errors.js';
import { formatSize } from '../../shared/model/files.js';
import type { PutBlobOptions } from './blob-types.js';

export interface Intake {
  /** The hash of every byte of the file, those before `offset` included. */
  hash: Hash;
  size: number;
}

export interface IntakeOptions {
  /** More bytes than this stop the intake with `tooLarge()`; what was written stays for the caller to remove. */
  maxSize: number;
  tooLarge: (size: number) => Error;
  /**
   * Continue a file already holding `resume.size` bytes, hashed in `resume.hash` (a resumed
   * download). The intake moves on in this object as bytes are written, so after a cut it still
   * says exactly what the file holds.
   */
  resume?: Intake;
}

const WRITE_BATCH = 256 * 1024;

/** Streams `body` into `path` (a new file, 0600, or the end of a resumed one), hashing and counting; fsyncs it at the end. */
export async function receiveInto(body: AsyncIterable<Uint8Array>, path: string, options: IntakeOptions): Promise<Intake> {
  const intake = options.resume ?? { hash: createHash('sha256'), size: 0 };
  const file = await open(path, options.resume ? 'a' : 'wx', 0o600);
  // Chunks are written a few hundred KiB at a time: one write per 16 KiB socket read cost a
  // clone of 1 GB of attachments a tenth of its time in write calls.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const drain = async () => {
    if (pending.length === 0) return;
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    await file.writev(chunks);
    // Written, then counted: the intake never says more than the file holds.
    for (const chunk of chunks) {
      intake.hash.update(chunk);
      intake.size += chunk.length;
    }
  };
  try {
    for await (const chunk of body) {
      const after = intake.size + pendingBytes + chunk.length;
      if (after > options.maxSize) throw options.tooLarge(after);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= WRITE_BATCH) await drain();
    }
    await drain();
    await file.sync();
  } finally {
    await file.close();
  }
  return intake;
}

/**
 * An upload into `temp`, by the one rule of both engines: past the instance's file limit it is
 * TooLarge, bytes that hash to another sha256 than the one named are BadInput; nothing is kept
 * of either (the caller removes `temp`). Answers the content's sha256 and size.
 */
export async function receiveUpload(body: AsyncIterable<Uint8Array>, temp: string, opts: PutBlobOptions): Promise<{ sha256: string; size: number }> {
  const { maxSize } = opts.limits;
  const tooLarge = () => new TooLarge(`the file is larger than the limit of this instance (${formatSize(maxSize)}); nothing was kept`);
  const intake = await receiveInto(body, temp, { maxSize, tooLarge });
  const sha256 = intake.hash.digest('hex');
  if (opts.sha256 !== undefined && sha256 !== opts.sha256) {
    throw new BadInput(`the bytes sent hash to ${sha256}, not ${opts.sha256}; nothing was kept`, [{ field: 'body', reason: 'does not match the sha256 of the path' }]);
  }
  return { sha256, size: intake.size };
}

/** The hash and size of a file's bytes so far: where a resumed download starts from. */
export async function hashFile(path: string): Promise<Intake> {
  const hash = createHash('sha256');
  let size = 0;
  const file = await open(path, 'r');
  try {
    for await (const chunk of file.createReadStream()) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } finally {
    await file.close();
  }
  return { hash, size };
}
