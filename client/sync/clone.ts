/**
 * Clone: create a local tracker from a remote one (fields per the transform table, with the
 * clone report of what was kept, transformed or skipped) and load all its items through the
 * change feed, exactly like a reload from token 0.
 */
import { Conflict } from '../../shared/errors.js';
import { type FieldMapping, planClone } from '../../shared/model/transform.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClientOptions } from '../remote/client.js';
import { attachmentsOf } from './blob-gc.js';
import { type FeedOptions, applyFeed } from './feed.js';
import { connect } from './connect.js';
import { ReplicaState } from '../replica/index.js';
import type { Report } from './report.js';
import { loggedRun } from './run.js';
import { remoteUsers, toFieldDefs } from './schema.js';

export interface CloneOptions extends Omit<FeedOptions, 'preloadTitles'> {
  /** Local name of the clone; the remote tracker's name by default. */
  as?: string;
  remote?: RemoteClientOptions;
}

export interface CloneResult {
  tracker: { id: number; name: string };
  /** The clone report: each remote field, kept / transformed / skipped and why. */
  fields: FieldMapping[];
  report: Report;
}

/** Clones remote tracker `trackerRef` (its id or name on the remote) from remote `remoteName`. */
export async function clone(store: SqliteStore, remoteName: string, trackerRef: string | number, options: CloneOptions = {}): Promise<CloneResult> {
  const client = connect(store, remoteName, options.remote);
  try {
    const remote = await client.getTracker(trackerRef);
    const remoteFields = toFieldDefs(remote.fields);
    const users = await remoteUsers(client, remoteFields);
    const { mappings, localFields } = planClone(remoteFields, { users });
    const name = options.as ?? remote.name;
    if (store.findTracker(name)) {
      throw new Conflict(`a local tracker named "${name}" already exists; clone under another name with --as NAME`);
    }
    const replicas = new ReplicaState(store);
    // The tracker and its replica row together: a tracker without replica state would never sync.
    const tracker = store.transaction(() => {
      const created = store.createTracker({ name, description: remote.description, fields: localFields });
      replicas.createReplica({
        trackerId: created.id,
        remoteName,
        remoteTrackerId: remote.id,
        remoteTrackerName: remote.name,
        remoteSchemaHash: remote.schemaHash,
        remoteFields,
        mappings,
        token: 0,
        clonedAt: new Date().toISOString(),
        lastSyncAt: null,
      });
      return created;
    });
    const report = await loggedRun(
      store,
      {
        trackerId: tracker.id,
        kind: 'clone',
        dryRun: false,
        failureHint: `tracker "${tracker.name}" (id ${tracker.id}) was created and keeps what was loaded; run \`s15n reload ${tracker.name}\` to complete the clone`,
      },
      async (run) => {
        const feed = await applyFeed(
          { store, replicas, client, trackerId: tracker.id, report: run },
          {
            preloadTitles: true,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
            ...(options.onBlobs ? { onBlobs: options.onBlobs } : {}),
          },
        );
        if (feed.cancelled) throw new Error(`cancelled after ${run.counts.seen} changes`);
        return { remote: remoteName, token: { from: feed.from, to: feed.to }, ...attachmentsOf(mappings, feed.attachments) };
      },
    );
    return { tracker: { id: tracker.id, name: tracker.name }, fields: mappings, report };
  } finally {
    client.close();
  }
}
