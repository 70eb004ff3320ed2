/**
 * Bytes on their way into a blob, whatever the engine: streamed to a file while they are hashed
 * and counted, never held whole in memory, stopped as soon as they pass a limit, and flushed to
 * the disk (fsync) before anyone may rename the file into place. The hub's uploads and the
 * clone's downloads both come in through here.
 */
import { type Hash, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface Intake {
  /** The hash of every byte of the file, those before `offset` included. */
  hash: Hash;
  size: number;
}

export interface IntakeOptions {
  /** More bytes than this stop the intake with `tooLarge()`; what was written stays for the caller to remove. */
  maxSize: number;
  tooLarge: (size: number) => Error;
  /** Continue a file already holding this many bytes, hashed in `hash` (a resumed download). */
  resume?: Intake;
}

/** Streams `body` into `path` (a new file, 0600, or the end of a resumed one), hashing and counting; fsyncs it at the end. */
export async function receiveInto(body: AsyncIterable<Uint8Array>, path: string, options: IntakeOptions): Promise<Intake> {
  const hash = options.resume?.hash ?? createHash('sha256');
  let size = options.resume?.size ?? 0;
  const file = await open(path, options.resume ? 'a' : 'wx', 0o600);
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > options.maxSize) throw options.tooLarge(size);
      hash.update(chunk);
      await file.write(chunk);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  return { hash, size };
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
