/** What a sync run says of attachments, and the collection of blobs after a run that may have released some (when the tracker has attachments at all: then it is cheap). */
import type { FieldMapping } from '../../shared/model/transform.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { BlobTally } from './blob-fetch.js';

function replicatesFiles(mappings: readonly FieldMapping[]): boolean {
  return mappings.some((m) => m.remoteType === 'files' && m.action !== 'skipped');
}

/** The report's `attachments` ({files, bytes} moved), for a tracker that replicates a files field. */
export function attachmentsOf(mappings: readonly FieldMapping[], tally: BlobTally): { attachments?: BlobTally } {
  return replicatesFiles(mappings) ? { attachments: { ...tally } } : {};
}

/**
 * After a reload or a push of a tracker with attachments: blobs no item version names anymore go,
 * once the grace period has passed (store.blobs.collect). A dry run collects nothing; a failed
 * collection is no failure of the run (the next one, or `s15n gc`, does it).
 */
export function collectAfterRun(store: SqliteStore, mappings: readonly FieldMapping[], dryRun: boolean): void {
  if (dryRun || !replicatesFiles(mappings)) return;
  try {
    store.blobs.collect();
  } catch {
    // Busy or failing disk: left for later.
  }
}
