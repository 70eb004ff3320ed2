/**
 * A push dry run predicts the real push by construction: both answer with the one push judgement
 * of shared/push/judge.ts. This drives random trackers, remote edits and deletes, local edits,
 * deletes and new items, overwrites, and callers with and without the admin right through the
 * real server and through the dry run's prediction, and finds the same answer for every change,
 * and the same report counters for the whole run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushResult } from '../../shared/api/schemas.js';
import { ReplicaState } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { predictAnswers } from '../../client/sync/push-answers.js';
import { planPush } from '../../client/sync/push-plan.js';
import { connect } from '../../client/sync/connect.js';
import { addRemote } from '../../client/sync/remotes.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import { PASSWORDS, type TestInstance, startInstance, tempStore } from '../helpers/instance.js';
import { FAST } from '../helpers/sync.js';

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'tags', type: 'tags' },
  { name: 'notes', type: 'textarea' },
  { name: 'pick', type: 'dropdown', options: ['a', 'b', 'c'] },
];

const values = fc.record(
  {
    title: fc.constantFrom('x', 'y', 'z'),
    n: fc.constantFrom(1, 2, 3),
    tags: fc.constantFrom(['p'], ['q'], ['p', 'q']),
    notes: fc.constantFrom('1\n2\n3\n', '1\nB\n3\n', 'A\n2\n3\n', '1\n2\nC\n'),
    pick: fc.constantFrom('a', 'b', 'c'),
  },
  { requiredKeys: [] },
);
const status = fc.constantFrom('open', 'pending', 'closed');
/** What one side does to one item: nothing, an edit of some fields (maybe the status), or a delete. */
const act = fc.oneof(fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constant('edit' as const), values, status: fc.option(status, { nil: undefined }) }), fc.constant({ kind: 'delete' as const }));

const world = fc.record({
  items: fc.array(fc.record({ values, status }), { minLength: 1, maxLength: 5 }),
  remote: fc.array(act, { minLength: 5, maxLength: 5 }),
  local: fc.array(act, { minLength: 5, maxLength: 5 }),
  added: fc.array(values, { maxLength: 2 }),
  user: fc.constantFrom('root', 'eddie'),
  overwrite: fc.boolean(),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

let master: TestInstance;
let run = 0;

beforeAll(async () => {
  master = await startInstance();
  await master.store.addUser('root', PASSWORDS.root, { admin: true });
  await master.store.addUser('eddie', PASSWORDS.eddie);
});

afterAll(async () => {
  await master.close();
});

function edit(store: SqliteStore, tracker: Tracker, id: number, action: World['remote'][number]): void {
  if (action.kind === 'delete') store.deleteItems(tracker.id, [id], null);
  if (action.kind === 'edit') store.updateItems(tracker.id, [id], { values: { title: 'x', ...action.values }, ...(action.status ? { status: action.status } : {}) }, null);
}

/** A fresh tracker on the master, cloned, then edited on both sides as the world says. */
async function build(w: World): Promise<{ local: SqliteStore; tracker: Tracker; cleanup(): void }> {
  const remote = master.store.createTracker({ name: `T${run++}`, fields: FIELDS });
  master.store.grant('eddie', remote.id, 'edit');
  const created = master.store.createItems(remote.id, w.items.map((i) => ({ status: i.status, values: { title: 'x', ...i.values } })), null);
  const local = tempStore();
  addRemote(local.store, { name: 'origin', url: master.url, user: w.user, password: PASSWORDS[w.user as keyof typeof PASSWORDS] });
  await clone(local.store, 'origin', remote.name, { remote: FAST });
  const tracker = local.store.getTracker(remote.name);
  const replicas = new ReplicaState(local.store);
  created.forEach((item, i) => {
    edit(master.store, remote, item.id, w.remote[i]!);
    edit(local.store, tracker, replicas.itemByRemoteId(tracker.id, item.id)!.itemId, w.local[i]!);
  });
  if (w.added.length > 0) local.store.createItems(tracker.id, w.added.map((v) => ({ values: { title: 'x', ...v } })), null);
  return { local: local.store, tracker, cleanup: local.cleanup };
}

/** What must agree between a predicted and a real answer (new items' ids and versions are the remote's to pick). */
function comparable(result: PushResult): unknown {
  const { status: s, conflicts, error, item } = result;
  return { status: s, conflicts, error: error !== undefined, item: item ? { status: item.status, values: item.values, deleted: item.deleted ?? false } : null };
}

describe('push dry run against the real push', () => {
  it('predicts the real answer to every change', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const { local, tracker, cleanup } = await build(w);
        try {
          const replicas = new ReplicaState(local);
          const replica = replicas.requireReplica(tracker.id);
          const named = w.overwrite ? replicas.candidateItemIds(tracker.id) : [];
          const options = { items: named, overwrite: w.overwrite && named.length > 0 };
          const client = connect(local, 'origin', FAST);
          try {
            // The plan and the prediction in a rolled-back transaction; the real push of the same changes after it.
            const { changes, predicted } = await replicas.dryRun(async () => {
              const plan = local.transaction(() => planPush(local, replicas, tracker, replica, options));
              const answers = await predictAnswers({ store: local, replicas, tracker, by: 'origin' }, client, replica, plan.planned);
              return { changes: plan.planned.map((p) => p.change), predicted: answers.map((a) => a.result) };
            });
            const real = changes.length > 0 ? await client.push(replica.remoteTrackerId, changes) : [];
            expect(predicted.map(comparable)).toEqual(real.map(comparable));
            for (const result of real) seen.set(result.status, (seen.get(result.status) ?? 0) + 1);
          } finally {
            client.close();
          }
        } finally {
          cleanup();
        }
      }),
      { numRuns: 40 },
    );
    // The worlds must reach every answer the judgement gives, or the property proves little.
    expect([...seen.keys()].sort()).toEqual(['conflict', 'created', 'deleted', 'rejected', 'updated']);
  }, 120_000);

  it('a dry run\'s counters equal those of the real push that follows it', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const { local, tracker, cleanup } = await build(w);
        try {
          const named = w.overwrite ? new ReplicaState(local).candidateItemIds(tracker.id) : [];
          const options = { items: named, overwrite: w.overwrite && named.length > 0, remote: FAST };
          const dry = await push(local, tracker.id, { ...options, dryRun: true });
          const real = await push(local, tracker.id, options);
          expect(dry.outcome === 'error' ? dry.errors : []).toEqual([]);
          expect(dry.counts).toEqual(real.counts);
        } finally {
          cleanup();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
