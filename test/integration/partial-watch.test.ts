/**
 * `s15n sync --watch` of a partial clone (DESIGN §11 and §12): the watch holds the remote's
 * filtered continuous feed open, so an item that stops matching leaves the clone within moments
 * (no delete pushed), one that starts matching arrives, and a change of an item it never held
 * costs no run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import { type SyncPair, masterAdd, masterEdit, startPair, tokenOf } from '../helpers/sync.js';
import { type WatchProcess, startWatch } from '../helpers/watch.js';
import { waitFor } from '../helpers/wait.js';

let pair: SyncPair | undefined;
let watcher: WatchProcess | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await pair?.close();
  pair = undefined;
});

/** The remote ids the clone holds a live copy of. */
function held(p: SyncPair): number[] {
  const replicas = new ReplicaState(p.clone);
  return p.clone
    .listItems(p.clone.getTracker('Small').id)
    .map((i) => replicas.itemState(i.id)?.remoteId ?? -1)
    .sort((a, b) => a - b);
}

describe('s15n sync --watch of a partial clone', { timeout: 60_000 }, () => {
  it('follows the filtered feed: items leave and arrive as they move out of and into the filter', async () => {
    pair = await startPair({ simple: true });
    const p = pair;
    const [low, high, other] = [1, 50, 60].map((n, i) => masterAdd(p, { title: `t${i}`, n }));
    await clone(p.clone, 'origin', p.tracker.id, { as: 'Small', where: '{"n": {"$lt": 10}}' });
    expect(held(p)).toEqual([low!.id]);
    watcher = startWatch(p.cloneDir, ['Small']);
    await watcher.reported(1, 'the first full sync');

    masterEdit(p, high!.id, { n: 2 });
    await waitFor(() => held(p).includes(high!.id), 'the item that came into the filter');
    masterEdit(p, low!.id, { n: 99 });
    await waitFor(() => !held(p).includes(low!.id), 'the item that left the filter');
    expect(p.master.store.getItem(p.tracker.id, low!.id)).toMatchObject({ values: { n: 99 } });

    // A change of an item this clone never held comes as a marker: the token moves past it, no run.
    const runs = watcher.reports().length;
    const seq = masterEdit(p, other!.id, { title: 'still out' }).seq;
    await waitFor(() => tokenOf(p.clone, 'Small') >= seq, 'the token past the marker');
    expect(held(p)).toEqual([high!.id]);
    await watcher.stop();
    expect(watcher.reports().length).toBe(runs);
    expect(watcher.reports().every((r) => r.outcome === 'success')).toBe(true);
  });
});
