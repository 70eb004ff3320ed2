/**
 * Clone: create a local tracker from a remote one (fields per the transform table, with the
 * clone report of what was kept, transformed or skipped) and load all its items through the
 * change feed, exactly like a reload from token 0.
 */
import { BadInput, Conflict } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { parseSelectorText } from '../../shared/model/selector.js';
import { type FieldMapping, planClone } from '../../shared/model/transform.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { attachmentsOf } from './blob-gc.js';
import { type FeedOptions, applyFeed } from './feed.js';
import { connect } from './connect.js';
import { ReplicaState } from '../replica/index.js';
import type { Report } from './report.js';
import { loggedRun } from './run.js';
import { remoteUsers, toFieldDefs } from './schema.js';

export interface CloneOptions extends Omit<FeedOptions, 'preloadTitles' | 'limit'> {
  /** Local name of the clone; the remote tracker's name by default. */
  as?: string;
  /** A selector (JSON text, DESIGN §12): a partial clone of the matching items only, filtered by the remote on every reload. */
  where?: string;
  remote?: RemoteClientOptions;
}

export interface CloneResult {
  tracker: { id: number; name: string };
  /** The clone report: each remote field, kept / transformed / skipped and why. */
  fields: FieldMapping[];
  report: Report;
  /** A partial clone's selector, as stored. */
  where?: Record<string, unknown>;
}

/**
 * Checks a selector against the remote's fields (strictly: an unknown field or option is a typo
 * here) and has the remote check it too, which also tells that the remote filters at all. Both
 * happen before anything is created; the remote is not asked to count (that reads its whole feed:
 * the stream's own count is enough).
 */
async function checkWhere(client: RemoteClient, remoteTracker: number, where: string, remoteFields: readonly FieldDef[]): Promise<{ text: string; source: Record<string, unknown> }> {
  const checked = parseSelectorText(where, remoteFields, { strict: true, name: '--where' });
  if (!checked.ok) throw BadInput.from(checked.problems, 'invalid selector');
  const text = JSON.stringify(checked.selector.source);
  try {
    await client.checkSelector(remoteTracker, text);
  } catch (error) {
    if (error instanceof BadInput && error.problems.some((p) => p.field === 'where' && /unknown/.test(p.reason))) {
      throw new BadInput(`remote "${client.endpoint.name}" does not filter its feed (an s15n older than partial clones): clone without --where`, [{ field: '--where', reason: 'not supported by the remote' }]);
    }
    throw error;
  }
  return { text, source: { ...checked.selector.source } };
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
    const where = options.where === undefined ? null : await checkWhere(client, remote.id, options.where, remoteFields);
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
        where: where?.text ?? null,
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
    return { tracker: { id: tracker.id, name: tracker.name }, fields: mappings, report, ...(where ? { where: where.source } : {}) };
  } finally {
    client.close();
  }
}
