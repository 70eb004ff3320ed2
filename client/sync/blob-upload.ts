/**
 * Push's first step for attachments (DESIGN §14): the contents a batch of changes names are
 * uploaded before the changes that name them, because the remote refuses an item naming a blob
 * it was not sent. The remote is asked first (HEAD): what it holds is not sent again. An upload
 * streams from the local blob file; a cut one is sent again whole (64 MiB at most by default).
 */
import { existsSync } from 'node:fs';
import { BadInput, S15nError, TooLarge, Unavailable } from '../../shared/errors.js';
import { type FileRef, formatSize, isFileList } from '../../shared/model/files.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { RemoteClient } from '../remote/client.js';
import { type BlobTally, FETCH_PARALLEL, inParallel } from './blob-fetch.js';
import type { Planned } from './push-plan.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The attachments a planned change sends: every one of a create's files fields, every one of an update's changed files fields. */
export function sentFiles(tracker: Tracker, planned: Planned): FileRef[] {
  const { change } = planned;
  const names = tracker.fields.filter((f) => f.type === 'files').map((f) => f.name);
  const values = change.op === 'create' ? names.map((n) => change.values[n]) : change.op === 'update' ? names.map((n) => change.fields[n]?.value) : [];
  return values.flatMap((value) => (Array.isArray(value) && isFileList(value) ? value : []));
}

export class BlobUploader {
  readonly tally: BlobTally = { files: 0, bytes: 0 };
  /** Contents the remote tracker is known to hold, asked or sent during this run. */
  private readonly held = new Set<string>();

  constructor(
    private readonly store: SqliteStore,
    private readonly client: RemoteClient,
  ) {}

  /**
   * Uploads what `batch` names and the remote tracker lacks. Returns the changes that cannot go,
   * with why (a content missing here, one the remote refuses as too large): those items are errors
   * of the push, the others are sent. A remote that cannot be reached fails the run.
   */
  async upload(tracker: Tracker, remoteTrackerId: number, batch: readonly Planned[]): Promise<Map<Planned, string>> {
    const refused = new Map<Planned, string>();
    if (!tracker.fields.some((f) => f.type === 'files')) return refused;
    const byHash = new Map<string, { ref: FileRef; planned: Planned[] }>();
    for (const planned of batch) {
      for (const ref of sentFiles(tracker, planned)) {
        if (this.held.has(ref.sha256)) continue;
        const entry = byHash.get(ref.sha256) ?? { ref, planned: [] };
        entry.planned.push(planned);
        byHash.set(ref.sha256, entry);
      }
    }
    await inParallel([...byHash.values()], FETCH_PARALLEL, async ({ ref, planned }) => {
      const why = await this.send(remoteTrackerId, ref);
      if (why) for (const p of planned) if (!refused.has(p)) refused.set(p, why);
    });
    return refused;
  }

  /** Sends one content unless the remote holds it; the reason it cannot go, or null once it is there. */
  private async send(remoteTrackerId: number, ref: FileRef): Promise<string | null> {
    const { blobs } = this.store;
    if ((await this.client.blobs.size(remoteTrackerId, ref.sha256)) === ref.size) {
      this.held.add(ref.sha256);
      return null;
    }
    if (blobs.sizeOf(ref.sha256) !== ref.size || !existsSync(blobs.files.pathOf(ref.sha256))) {
      return `attachment "${ref.name}" (sha256 ${ref.sha256.slice(0, 12)}…) has no content in this instance; detach it and attach the file again`;
    }
    const { retries, backoffLimitMs } = this.client.blobs.retry;
    for (let failures = 0; ; ) {
      try {
        await this.client.blobs.upload(remoteTrackerId, ref.sha256, blobs.files.pathOf(ref.sha256), ref.size);
        break;
      } catch (error) {
        // Too large for the remote, or bytes it found not to match (a local file damaged since): that item's error.
        if (error instanceof TooLarge || error instanceof BadInput) return `attachment "${ref.name}" (${formatSize(ref.size)}) was refused: ${error.message}`;
        const mapped = error instanceof S15nError ? error : this.client.blobs.failure(error, ref.sha256);
        if (!(mapped instanceof Unavailable) || ++failures > retries) throw mapped;
        await delay(Math.min(backoffLimitMs, 250 * 2 ** (failures - 1)));
      }
    }
    this.held.add(ref.sha256);
    this.tally.files += 1;
    this.tally.bytes += ref.size;
    return null;
  }
}
