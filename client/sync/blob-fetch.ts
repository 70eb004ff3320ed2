/**
 * The blobs a batch of remote items names and this instance lacks (DESIGN §14), fetched before
 * the batch is applied, so a local item never names a content it does not hold: a few at a time,
 * each streamed to a partial file while hashed, resumed with a Range after a cut (and after a
 * kill, from what the partial file holds), verified against its sha256, then renamed into place.
 * Bytes that do not match are refused and nothing of them is kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import type { Change } from '../../shared/api/schemas.js';
import { S15nError, Unavailable } from '../../shared/errors.js';
import { type FileRef, formatSize, isFileList } from '../../shared/model/files.js';
import type { SqliteStore } from '../../server/store/index.js';
import { type Intake, hashFile, receiveInto } from '../../server/store/blob-intake.js';
import type { RemoteClient } from '../remote/client.js';
import type { Replica } from '../replica/index.js';

/** Downloads at once: enough to fill a link with small files, few enough to be polite. */
export const FETCH_PARALLEL = 4;

/** Attachments moved by a run: the report says how many and how many bytes. */
export interface BlobTally {
  files: number;
  bytes: number;
}

/** The remote sent bytes that are not the content it named: never retried, never kept. */
class ContentMismatch extends S15nError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** Runs `work` on every item, `limit` at a time; the first failure ends it (the others stop before their next item). */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FetchOptions {
  /** A dry run fetches nothing: its items are rolled back, and files would outlive the rollback. */
  skip: boolean;
  signal?: AbortSignal;
  /** Attachments fetched so far in the run. */
  onProgress?: (fetched: BlobTally) => void;
}

export class BlobFetcher {
  readonly tally: BlobTally = { files: 0, bytes: 0 };

  constructor(
    private readonly store: SqliteStore,
    private readonly client: RemoteClient,
    private readonly options: FetchOptions,
  ) {}

  /** The attachments that `changes` name in the remote fields the replica keeps, which this instance lacks. */
  missing(changes: readonly Pick<Change, 'values' | 'deleted'>[], replica: Replica): FileRef[] {
    const kept = new Set(replica.mappings.filter((m) => m.action !== 'skipped' && m.remoteType === 'files').map((m) => m.name));
    if (kept.size === 0) return [];
    const wanted = new Map<string, FileRef>();
    for (const change of changes) {
      if (change.deleted) continue;
      for (const name of kept) {
        const value = change.values[name];
        if (Array.isArray(value) && isFileList(value)) for (const ref of value) wanted.set(ref.sha256, ref);
      }
    }
    const { blobs } = this.store;
    return [...wanted.values()].filter((ref) => blobs.sizeOf(ref.sha256) !== ref.size || !blobs.files.exists(ref.sha256));
  }

  /** Fetches what `changes` name and this instance lacks; throws when one cannot be had (the batch is then not applied). */
  async prefetch(changes: readonly Pick<Change, 'values' | 'deleted'>[], replica: Replica): Promise<void> {
    if (this.options.skip) return;
    await inParallel(this.missing(changes, replica), FETCH_PARALLEL, (ref) => this.fetch(replica.remoteTrackerId, ref));
  }

  private async fetch(remoteTrackerId: number, ref: FileRef): Promise<void> {
    const { blobs } = this.store;
    const partial = blobs.files.partialPath(ref.sha256);
    // A download killed earlier left its bytes: they are hashed again and the rest asked for.
    let intake: Intake = existsSync(partial) ? await hashFile(partial) : { hash: createHash('sha256'), size: 0 };
    if (intake.size > ref.size) intake = this.restart(partial);
    const { retries, backoffLimitMs } = this.client.blobs.retry;
    for (let failures = 0; intake.size < ref.size || (ref.size === 0 && !existsSync(partial)); ) {
      try {
        const download = await this.client.blobs.download(remoteTrackerId, ref.sha256, intake.size, this.options.signal);
        if (download.offset !== intake.size) intake = this.restart(partial);
        const tooLarge = (size: number) => new ContentMismatch(`${this.origin()} sent more than the ${ref.size} bytes of attachment "${ref.name}" (${size}); nothing was kept`);
        await receiveInto(download.stream, partial, { maxSize: ref.size, tooLarge, resume: intake });
        if (intake.size < ref.size) throw new Unavailable(`${this.origin()} ended attachment "${ref.name}" after ${intake.size} of ${ref.size} bytes`);
      } catch (error) {
        const mapped = error instanceof S15nError ? error : this.client.blobs.failure(error, ref.sha256);
        if (mapped instanceof ContentMismatch) rmSync(partial, { force: true });
        // A cut, a reset, a 503: asked again from where the partial file stops.
        if (!(mapped instanceof Unavailable) || this.options.signal?.aborted || ++failures > retries) throw mapped;
        await delay(Math.min(backoffLimitMs, 250 * 2 ** (failures - 1)));
      }
    }
    const sha256 = intake.hash.digest('hex');
    if (sha256 !== ref.sha256) {
      rmSync(partial, { force: true });
      throw new ContentMismatch(`${this.origin()} sent bytes for attachment "${ref.name}" that hash to ${sha256}, not ${ref.sha256}; they were refused and nothing was kept`);
    }
    await blobs.adopt(partial, ref.sha256, ref.size);
    this.tally.files += 1;
    this.tally.bytes += ref.size;
    this.options.onProgress?.({ ...this.tally });
  }

  /** Starts a download over: the partial file goes. */
  private restart(partial: string): Intake {
    rmSync(partial, { force: true });
    return { hash: createHash('sha256'), size: 0 };
  }

  private origin(): string {
    return `remote ${this.client.endpoint.name} (${this.client.endpoint.url})`;
  }
}

/** The report's line for what a run moved. */
export function describeTally(verb: string, tally: BlobTally): string {
  return `${verb} ${tally.files} attachment${tally.files === 1 ? '' : 's'} (${formatSize(tally.bytes)})`;
}
