/**
 * Real instances for the TUI tests: a master served on port 0 with a tracker of every field
 * type, and a clone data dir that cloned it through HTTP; plus rendering the app on an engine.
 */
import { render } from 'ink-testing-library';
import { type ReactNode, useEffect } from 'react';
import { clone } from '../../client/sync/clone.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/replica/index.js';
import { App } from '../../client/tui/App.js';
import { TuiEngine } from '../../client/tui/engine.js';
import type { Route } from '../../client/tui/state/navigation.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { PASSWORDS, type TestInstance, createEveryTypeTracker, seedUsers, startInstance, tempStore } from '../helpers/instance.js';
import { waitForFrame } from '../helpers/ink.js';

export interface Pair {
  master: TestInstance;
  /** The master's tracker. */
  tracker: Tracker;
  clone: SqliteStore;
  cloneDir: string;
  /** The clone's tracker id. */
  trackerId: number;
  engine: TuiEngine;
  /** Local id of the clone's copy of master item `remoteId`. */
  local(remoteId: number): number;
  /** Master item ids, in creation order. */
  masterIds: number[];
  close(): Promise<void>;
}

export function bugValues(index: number): Record<string, unknown> {
  return {
    title: `Bug ${index}`,
    body: ['first line', `second line of ${index}`, 'third line', 'fourth line'].join('\n'),
    priority: ['low', 'medium', 'high'][index % 3],
    estimate: index,
  };
}

/** A master with `items` items served on port 0, cloned by alice (admin right) into a fresh data dir. */
export async function masterAndClone(options: { items?: number; user?: keyof typeof PASSWORDS } = {}): Promise<Pair> {
  const master = await startInstance();
  const tracker = createEveryTypeTracker(master.store);
  await seedUsers(master.store, tracker);
  const count = options.items ?? 12;
  const masterIds: number[] = [];
  for (let start = 0; start < count; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, count - start) }, (_, i) => ({ values: bugValues(start + i + 1) }));
    masterIds.push(...master.store.createItems(tracker.id, batch, 'root').map((item) => item.id));
  }
  const local = tempStore();
  const user = options.user ?? 'alice';
  addRemote(local.store, { name: 'origin', url: master.url, user, password: PASSWORDS[user] });
  const cloned = await clone(local.store, 'origin', tracker.id);
  const replicas = new ReplicaState(local.store);
  return {
    master,
    tracker,
    clone: local.store,
    cloneDir: local.dataDir,
    trackerId: cloned.tracker.id,
    engine: new TuiEngine(local.store, { remote: { retries: 0, timeoutMs: 5000 } }),
    masterIds,
    local: (remoteId) => {
      const sync = replicas.itemByRemoteId(cloned.tracker.id, remoteId);
      if (!sync) throw new Error(`no local copy of master item ${remoteId}`);
      return sync.itemId;
    },
    close: async () => {
      await master.close();
      local.cleanup();
    },
  };
}

/** The master's current item, by its id. */
export function masterItem(pair: Pair, remoteId: number): Item | undefined {
  return pair.master.store.getItem(pair.tracker.id, remoteId, { includeDeleted: true });
}

/** Tells the test when the app unmounted itself (q on the first screen, Ctrl-C). */
function Probe({ onExit, children }: { onExit: () => void; children: ReactNode }) {
  useEffect(() => onExit, [onExit]);
  return <>{children}</>;
}

export interface AppHandle extends ReturnType<typeof render> {
  exited: Promise<void>;
  isExited(): boolean;
}

/** Renders the app on an engine and waits for the first screen's help bar. */
export async function renderApp(engine: TuiEngine, first?: Route, ready: string | RegExp = /\? help/): Promise<AppHandle> {
  let exited = false;
  let resolveExit: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    resolveExit = resolve;
  });
  const onExit = () => {
    exited = true;
    resolveExit();
  };
  const handle = render(
    <Probe onExit={onExit}>
      <App engine={engine} {...(first ? { first } : {})} />
    </Probe>,
  );
  await waitForFrame(handle, ready);
  return Object.assign(handle, { exited: promise, isExited: () => exited });
}
