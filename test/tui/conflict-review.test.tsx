/**
 * The conflict review against a real master: base / local / remote side by side, a textarea
 * conflict as diff3 hunks, l / t / e decisions written to the replica, then p pushing the
 * resolved items, checked on the master.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { status } from '../../client/sync/status.js';
import { KEYS, frameOf, sendAndWait } from '../helpers/ink.js';
import { type Pair, masterAndClone, masterItem, renderApp } from './fixtures.js';

/** Edits the same fields of item `m` on both sides, then reloads the clone: a conflict on title, body and priority. */
async function conflictOn(pair: Pair, m: number): Promise<void> {
  const lines = (third: string) => ['first line', `second line of 1`, third, 'fourth line'].join('\n');
  pair.master.store.updateItems(pair.tracker.id, [m], { values: { title: 'Title by master', body: lines('third line, master edit'), priority: 'high' } }, 'eddie');
  pair.clone.updateItems(pair.trackerId, [pair.local(m)], { values: { title: 'Title by clone', body: lines('third line, clone edit'), priority: 'low' } }, null);
  await pair.engine.reload(pair.trackerId);
}

describe('ConflictReview screen', () => {
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('shows each conflicting field side by side and a textarea as diff3 hunks', async () => {
    pair = await masterAndClone();
    const [m1] = pair.masterIds as [number];
    await conflictOn(pair, m1);
    const app = await renderApp(pair.engine, { screen: 'conflicts', trackerId: pair.trackerId });
    let frame = frameOf(app);
    expect(frame).toMatch(/Conflict review .*Bugs · 1 item, 3 conflicts to decide/);
    expect(frame).toMatch(/l take local.*t take theirs.*e edit.*Esc\/q back/);
    expect(frame).toMatch(/base \(last agreed\).*local \(yours\).*remote \(theirs\)/);
    expect(frame).toMatch(/Bug 1.*Title by clone.*Title by master/);
    frame = await sendAndWait(app, 'j', '@@ line 3 of the base');
    expect(frame).toContain('<<<<<<< local (yours)');
    expect(frame).toContain('< third line, clone edit');
    expect(frame).toContain('| third line');
    expect(frame).toContain('> third line, master edit');
    expect(frame).toContain('>>>>>>> remote (theirs)');
    app.unmount();
  });

  it('takes local with l, theirs with t, a typed value with e, then pushes with p', async () => {
    pair = await masterAndClone();
    const [m1] = pair.masterIds as [number];
    await conflictOn(pair, m1);
    const app = await renderApp(pair.engine, { screen: 'conflicts', trackerId: pair.trackerId });
    await sendAndWait(app, 'l', /Title: local value kept \(2 more in conflict\)/);
    expect(frameOf(app)).toMatch(/2 conflicts to decide/);
    await sendAndWait(app, 't', /Description: remote value taken \(1 more in conflict\)/);
    await sendAndWait(app, 'e', (f) => f.includes('use value') && f.includes('❯ low'));
    await sendAndWait(app, KEYS.down, '❯ medium');
    await sendAndWait(app, KEYS.enter, /priority: your value set/);
    let frame = frameOf(app);
    expect(frame).toContain('No conflicts left to decide.');
    expect(frame).toMatch(/p push 1 resolved/);

    const local = pair.clone.getItem(pair.trackerId, pair.local(m1));
    expect(local?.values).toMatchObject({ title: 'Title by clone', priority: 'medium' });
    expect(local?.values.body).toContain('master edit');

    frame = await sendAndWait(app, 'p', /Push: success/);
    expect(frame).toMatch(/updated 1/);
    expect(masterItem(pair, m1)?.values).toMatchObject({ title: 'Title by clone', priority: 'medium' });
    expect(String(masterItem(pair, m1)?.values.body)).toContain('third line, master edit');
    expect(status(pair.clone, pair.trackerId).conflicts).toEqual([]);
    app.unmount();
  });

  it('edits a textarea conflict in the multi-line editor', async () => {
    pair = await masterAndClone();
    const [m1] = pair.masterIds as [number];
    await conflictOn(pair, m1);
    const app = await renderApp(pair.engine, { screen: 'conflicts', trackerId: pair.trackerId });
    await sendAndWait(app, 'j', '@@ line 3');
    await sendAndWait(app, 'e', /Ctrl-S keep text/);
    await sendAndWait(app, KEYS.enter);
    await sendAndWait(app, 'both edits, merged by hand', 'both edits, merged by hand');
    await sendAndWait(app, KEYS.ctrlS, /Description: your value set/);
    expect(pair.clone.getItem(pair.trackerId, pair.local(m1))?.values.body).toBe(
      ['first line', 'second line of 1', 'third line, clone edit', 'fourth line', 'both edits, merged by hand'].join('\n'),
    );
    app.unmount();
  });

  it('decides a deletion against an edit for the whole item: t deletes it here too', async () => {
    pair = await masterAndClone();
    const [, m2] = pair.masterIds as [number, number];
    pair.master.store.deleteItems(pair.tracker.id, [m2], 'root');
    const localId = pair.local(m2);
    pair.clone.updateItems(pair.trackerId, [localId], { values: { estimate: 1234 } }, null);
    await pair.engine.reload(pair.trackerId);
    const app = await renderApp(pair.engine, { screen: 'conflicts', trackerId: pair.trackerId });
    const frame = frameOf(app);
    expect(frame).toMatch(/deleted on the remote, edited here/);
    expect(frame).toMatch(/estimate: 2 → 1234/);
    expect(frame).toMatch(/l keep the item \(push creates it again\) · t delete it here too/);
    expect(frame).not.toMatch(/e edit/);
    await sendAndWait(app, 't', /Item \d+: deleted/);
    expect(pair.clone.getItem(pair.trackerId, localId)).toBeUndefined();
    app.unmount();
  });
});
