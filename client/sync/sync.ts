/**
 * Sync (DESIGN §11): one run per tracker is a reload, then a push of every clean local change
 * (new, modified, deleted), logged as one run of kind `sync`. Its report holds both parts; its
 * counters are the sums of theirs, and since each part's counters partition the items that part
 * saw, the sums do too (an item pulled in and then pushed back is seen once by each part).
 * Several trackers of one remote share one client, so one keep-alive connection where they can.
 */
import type { FeedEntry } from '../../shared/api/schemas.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { ReplicaState } from '../replica/index.js';
import { connect } from './connect.js';
import { pushPart } from './push.js';
import { reloadPart } from './reload.js';
import { type Report, ReportBuilder, type RunControls } from './report.js';
import { loggedRun, messageOf } from './run.js';

export interface SyncOptions extends RunControls {
  /** The whole run in a transaction that is rolled back: the report of what would happen. */
  dryRun?: boolean;
  /** Never push: the run is its reload part alone. */
  pullOnly?: boolean;
  /** A client of the remote to use (and leave open), instead of one for this run alone. */
  client?: RemoteClient;
  remote?: RemoteClientOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
  /** What a continuous feed brought (a partial clone's with their left markers): applied in place of the reload's stream. */
  changes?: readonly FeedEntry[];
  /** Called once the reload part is committed, before the push: the moment remote changes are applied. */
  onPulled?: (part: Report) => void;
}

const SYNC_AGAIN = 'sync again: what was answered is applied, and resent creates reuse their keys';

/** Runs one part into its own builder; a failure of the part is its report's failure, with what to do next. */
async function runPart(dryRun: boolean, controls: RunControls, hint: string, body: (report: ReportBuilder) => Promise<Record<string, unknown>>): Promise<{ builder: ReportBuilder; report: Report }> {
  const builder = new ReportBuilder(dryRun, controls);
  let extra: Record<string, unknown> = {};
  try {
    extra = await body(builder);
  } catch (error) {
    builder.fail(`${messageOf(error)}; ${hint}`);
  }
  return { builder, report: builder.finish(extra) };
}

/** Syncs one cloned tracker (local id or name): its reload part, then (unless pull-only, or the reload failed) its push part. */
export async function sync(store: SqliteStore, trackerRef: string | number, options: SyncOptions = {}): Promise<Report> {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  const tracker = store.getTracker(replica.trackerId);
  const client = options.client ?? connect(store, replica.remoteName, options.remote);
  const dryRun = options.dryRun === true;
  const part = { store, replicas, client, trackerId: tracker.id };
  const hooks = { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
  // --stop-on-error (DESIGN §12): the first item error of either part ends the run; a failed reload part is not followed by a push.
  const controls = { stopOnError: options.stopOnError === true };
  try {
    return await loggedRun(store, { trackerId: tracker.id, kind: 'sync', dryRun, ...controls }, async (report) => {
      const pulled = await runPart(dryRun, controls, 'what was applied is kept and the next sync continues from there', (builder) =>
        reloadPart(part, builder, { ...hooks, ...(options.changes ? { changes: options.changes } : {}) }),
      );
      report.absorb(pulled.builder);
      options.onPulled?.(pulled.report);
      const head = { kind: 'sync', tracker: tracker.name, remote: replica.remoteName, token: pulled.report.token, reload: pulled.report };
      if (pulled.builder.failed || options.pullOnly || options.signal?.aborted) return { ...head, push: null };
      const pushed = await runPart(dryRun, controls, SYNC_AGAIN, (builder) => pushPart(part, builder, { allClean: true, dryRun, ...hooks }));
      report.absorb(pushed.builder);
      return { ...head, push: pushed.report };
    });
  } finally {
    if (!options.client) client.close();
  }
}

/** One client per remote, made when first asked for and closed together: the trackers of a remote share its connections. */
export class RemoteClients {
  private readonly clients = new Map<string, RemoteClient>();

  constructor(
    private readonly store: SqliteStore,
    private readonly options: RemoteClientOptions = {},
  ) {}

  of(remoteName: string): RemoteClient {
    let client = this.clients.get(remoteName);
    if (!client) {
      client = connect(this.store, remoteName, this.options);
      this.clients.set(remoteName, client);
    }
    return client;
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** The trackers a sync names: each given one (by id or name, each once), or with `all` every cloned tracker. */
export function trackersToSync(store: SqliteStore, refs: readonly string[], all: boolean): number[] {
  const replicas = new ReplicaState(store);
  if (all) return replicas.listReplicas().map((r) => r.trackerId);
  return [...new Set(refs.map((ref) => replicas.requireReplica(ref).trackerId))];
}
