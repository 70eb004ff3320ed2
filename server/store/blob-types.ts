/** The records of attachments' contents as the HubStore interface speaks of them (DESIGN §14). */
import type { Readable } from 'node:stream';

export interface BlobLimits {
  /** The largest blob accepted, in bytes. */
  maxSize: number;
  /** The most bytes of distinct blobs one tracker may hold and be sent. */
  quota: number;
}

export interface PutBlobOptions {
  /** The hash the bytes must have (an upload names it); without it, whatever they hash to (a local attach). */
  sha256?: string;
  limits: BlobLimits;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when the instance already held these bytes (nothing new was written). */
  created: boolean;
}

/** Bytes `start` to `end` of a blob, both included (an HTTP range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobRead {
  /** The size of the whole blob. */
  size: number;
  stream: Readable;
}

export interface GcOptions {
  /** How long a blob no item refers to is kept (default an hour); 0 collects at once. */
  graceMs?: number;
  /** Also remove stray files: temp files of transfers that died, files no row stands for. */
  sweep?: boolean;
}

export interface GcReport {
  /** Blobs removed, and their bytes. */
  removed: number;
  bytes: number;
  /** Blobs kept: referred to, or unreferenced for less than the grace period. */
  kept: number;
  /** Stray files removed (temp files of dead transfers, files without a row): with `sweep` only. */
  swept?: { files: number; bytes: number };
}
