/**
 * The bytes of an SQLite instance's blobs: files under `<data dir>/blobs/`, each named by its
 * sha256 (never by a file name a user or a remote chose), written as a temp file, flushed, then
 * renamed into place, so a file under its hash is always whole. Temp files of uploads live in
 * `tmp/`, downloads to resume in `partial/`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { isSha256 } from '../../../shared/model/files.js';


export class BlobFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
  }

  private dir(...parts: string[]): string {
    const dir = join(this.root, ...parts);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Where the blob of `sha256` lives; anything but 64 lowercase hex digits is refused, so no hash can name another path. */
  pathOf(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`not a sha256: ${JSON.stringify(String(sha256).slice(0, 80))}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  exists(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** A new temp file name for incoming bytes (the file is the caller's to create). */
  tempPath(): string {
    return join(this.dir('tmp'), `${process.pid}-${randomUUID()}`);
  }

  /** The file a download of `sha256` writes to until it is whole: the same name across runs, so a killed one resumes. */
  partialPath(sha256: string): string {
    this.pathOf(sha256);
    return join(this.dir('partial'), sha256);
  }

  /** Renames a flushed temp file into place under its hash. Call it inside the write transaction that records the blob, then `flush`. */
  place(temp: string, sha256: string): void {
    const target = this.pathOf(sha256);
    this.dir(sha256.slice(0, 2));
    renameSync(temp, target);
  }

  /**
   * Flushes the directory entry of a placed blob, off the event loop: a synchronous fsync per
   * blob held every other transfer for its duration (a quarter of a clone's time with 1,000
   * attachments). Nothing may name the blob before this resolves.
   */
  async flush(sha256: string): Promise<void> {
    const dir = await open(join(this.root, sha256.slice(0, 2)), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  remove(sha256: string): void {
    rmSync(this.pathOf(sha256), { force: true });
  }

  /**
   * Removes what no row stands for: temp and partial files last written before `transfers`
   * (epoch ms), and blob files `known` does not know, last written before `blobs`.
   */
  sweep(before: { blobs: number; transfers: number }, known: (sha256: string) => boolean): { files: number; bytes: number } {
    const swept = { files: 0, bytes: 0 };
    const drop = (path: string, cutoff: number) => {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat || stat.mtimeMs >= cutoff) return;
      rmSync(path, { force: true });
      swept.files += 1;
      swept.bytes += stat.size;
    };
    if (!existsSync(this.root)) return swept;
    for (const entry of readdirSync(this.root)) {
      const dir = join(this.root, entry);
      if (!statSync(dir).isDirectory()) continue;
      const transfers = entry === 'tmp' || entry === 'partial';
      for (const name of readdirSync(dir)) {
        if (transfers) drop(join(dir, name), before.transfers);
        else if (!isSha256(name) || !known(name)) drop(join(dir, name), before.blobs);
      }
    }
    return swept;
  }
}
