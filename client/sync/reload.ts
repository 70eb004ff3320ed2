/**
 * Reload: bring the remote's changes into a cloned tracker. The remote schema is checked first
 * (changes adopted or reported, never silently mis-applied), then the change feed is applied
 * from the replica's token with the three-way rule, batch by batch. Ends with a report, logged.
 */
import { hashSchema } from '../../shared/hash.js';
import { STATUSES } from '../../shared/model/fields.js';
import { type SchemaDiff, isEmptyDiff } from '../../shared/model/transform.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { attachmentsOf, collectAfterRun } from './blob-gc.js';
import { type FeedOptions, applyFeed } from './feed.js';
import { connect } from './connect.js';
import { ReplicaState } from '../replica/index.js';
import type { Report, ReportBuilder } from './report.js';
import { loggedRun } from './run.js';
import { adoptRemoteSchema, describeDiff, refreshUserOptions, remoteUsers, toFieldDefs } from './schema.js';

export interface ReloadOptions extends Omit<FeedOptions, 'preloadTitles'> {
  /** Run the whole flow in a transaction that is rolled back: the report of what would happen. */
  dryRun?: boolean;
  /** Settings of the HTTP client (timeouts, retries, TLS). */
  remote?: RemoteClientOptions;
}

/**
 * Checks the remote schema and follows it: a changed schema hash is diffed and adopted (see
 * adoptRemoteSchema), and user-derived dropdown options are refreshed on every reload.
 * Returns the diff when the fields changed.
 */
export async function followRemoteSchema(store: SqliteStore, replicas: ReplicaState, client: RemoteClient, trackerId: number, report: ReportBuilder): Promise<SchemaDiff | null> {
  const replica = replicas.requireReplica(trackerId);
  const remote = await client.getTracker(replica.remoteTrackerId);
  const remoteFields = toFieldDefs(remote.fields);
  const users = await remoteUsers(client, remoteFields);
  const tracker = store.getTracker(trackerId);
  const hashChanged = remote.schemaHash !== replica.remoteSchemaHash;
  const adoption = hashChanged ? adoptRemoteSchema(tracker.fields, replica, remoteFields, users) : null;
  const mappings = adoption?.mappings ?? replica.mappings;
  const diff = adoption && !isEmptyDiff(adoption.diff) ? adoption.diff : null;
  if (diff) report.warn(describeDiff(diff));
  if (users === null && remoteFields.some((f) => f.type === 'user') && mappings.some((m) => m.remoteType === 'user' && m.localType === 'dropdown')) {
    report.warn('the remote refused its user list: the options of user fields were not refreshed');
  }
  const localFields = refreshUserOptions(adoption?.localFields ?? tracker.fields, mappings, users);
  store.transaction(() => {
    if (hashSchema(localFields, STATUSES) !== hashSchema(tracker.fields, STATUSES)) store.setTrackerFields(trackerId, localFields);
    if (hashChanged || remote.name !== replica.remoteTrackerName) {
      replicas.setSchema(trackerId, { remoteFields, mappings, remoteSchemaHash: remote.schemaHash, remoteTrackerName: remote.name });
    }
  });
  return diff;
}

/** Reloads a cloned tracker (local id or name). Run-level failures end in a report with outcome error; what was applied stays. */
export async function reload(store: SqliteStore, trackerRef: string | number, options: ReloadOptions = {}): Promise<Report> {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  // Before the run: a remote without a password is a setup mistake, not a failed sync.
  const client = connect(store, replica.remoteName, options.remote);
  try {
    return await loggedRun(store, { trackerId: replica.trackerId, kind: 'reload', dryRun: options.dryRun === true }, async (report) => {
      const diff = await followRemoteSchema(store, replicas, client, replica.trackerId, report);
      const feed = await applyFeed(
        { store, replicas, client, trackerId: replica.trackerId, report },
        {
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          ...(options.onBlobs ? { onBlobs: options.onBlobs } : {}),
        },
      );
      if (feed.cancelled) {
        report.fail(`cancelled after ${report.counts.seen} changes; what was applied is kept and the next reload continues from there`);
      }
      const mappings = replicas.requireReplica(replica.trackerId).mappings;
      collectAfterRun(store, mappings, report.dryRun);
      return { remote: replica.remoteName, token: { from: feed.from, to: feed.to }, ...(diff ? { schema: diff } : {}), ...attachmentsOf(mappings, feed.attachments) };
    });
  } finally {
    client.close();
  }
}
