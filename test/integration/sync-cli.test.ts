import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../client/sync/report.js';
import { PASSWORDS, tempStore } from '../helpers/instance.js';
import { type SyncPair, localEdit, masterAdd, masterEdit, runCliAsync as cli, startPair } from '../helpers/sync.js';

let pair: SyncPair | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  cleanup?.();
  cleanup = undefined;
});

const COUNTS = { seen: expect.any(Number), created: expect.any(Number), updated: expect.any(Number), deleted: expect.any(Number), merged: expect.any(Number), unchanged: expect.any(Number), conflicts: expect.any(Number), errors: expect.any(Number) };
const REPORT = { outcome: expect.stringMatching(/^(success|warning|error)$/), dryRun: expect.any(Boolean), startedAt: expect.any(String), endedAt: expect.any(String), counts: COUNTS, errors: expect.any(Array) };

/** A master with one Bugs item and a clone data dir whose remote "origin" logs in as root. */
async function cloned(): Promise<{ pair: SyncPair; data: string; remoteId: number }> {
  pair = await startPair();
  const item = masterAdd(pair, { title: 'first', owner: 'alice' });
  const result = await cli(['clone', 'origin', 'Bugs', '--json'], { data: pair.cloneDir });
  expect(result.code).toBe(0);
  return { pair, data: pair.cloneDir, remoteId: item.id };
}

describe('s15n remote', { timeout: 60_000 }, () => {
  it('add reads the password from stdin, stores it 0600, never prints it; list and remove speak JSON', async () => {
    const { dataDir, cleanup: done } = tempStore();
    cleanup = done;
    const secret = 'cli:secret-pw';
    const added = await cli(['remote', 'add', 'origin', 'http://127.0.0.1:9/', '--user', 'ann', '--password-stdin', '--json'], { data: dataDir, input: `${secret}\n` });
    expect(added.code).toBe(0);
    expect(added.json()).toEqual({ name: 'origin', url: 'http://127.0.0.1:9', user: 'ann', createdAt: expect.any(String) });
    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'credentials.json'), 'utf8')).toContain(secret);
    const listed = await cli(['remote', 'list', '--json'], { data: dataDir });
    expect(listed.json()).toEqual([{ name: 'origin', url: 'http://127.0.0.1:9', user: 'ann', createdAt: expect.any(String), password: 'file', clones: [] }]);
    const human = await cli(['remote', 'list'], { data: dataDir });
    for (const out of [added.stdout, added.stderr, listed.stdout, listed.stderr, human.stdout, human.stderr]) expect(out).not.toContain(secret);
    const removed = await cli(['remote', 'remove', 'origin', '--json'], { data: dataDir });
    expect([removed.code, removed.json()]).toEqual([0, { removed: 'origin' }]);
    expect(readFileSync(join(dataDir, 'credentials.json'), 'utf8')).not.toContain(secret);
  });

  it('warns on stderr about Basic auth in clear over plain http to another host, and refuses a bad URL with exit 2', async () => {
    const { dataDir, cleanup: done } = tempStore();
    cleanup = done;
    const warned = await cli(['remote', 'add', 'lan', 'http://192.0.2.10:8080', '--user', 'ann', '--json'], { data: dataDir });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/Basic auth is sent in clear/);
    expect(warned.json<{ warning: string }>().warning).toMatch(/in clear/);
    const bad = await cli(['remote', 'add', 'x', 'ftp://example.org', '--user', 'ann'], { data: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/http:\/\/ or https:\/\//);
    const noUser = await cli(['remote', 'add', 'y', 'https://example.org'], { data: dataDir });
    expect(noUser.code).toBe(2);
  });

  it('remove of a remote still used by a clone fails with exit 1 naming the clone', async () => {
    const { data } = await cloned();
    const result = await cli(['remote', 'remove', 'origin'], { data });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/still used by cloned tracker "Bugs"/);
  });
});

describe('s15n clone', { timeout: 60_000 }, () => {
  it('--json gives {tracker, fields, report}; the text lists each field kept, transformed or skipped', async () => {
    pair = await startPair();
    masterAdd(pair, { title: 'first', owner: 'alice' });
    const json = await cli(['clone', 'origin', 'Bugs', '--json'], { data: pair.cloneDir });
    expect(json.code).toBe(0);
    const result = json.json<{ tracker: { id: number; name: string }; fields: unknown[]; report: Report }>();
    expect(result.tracker).toEqual({ id: expect.any(Number), name: 'Bugs' });
    expect(result.fields).toContainEqual({ name: 'title', remoteType: 'text', action: 'kept', localType: 'text' });
    expect(result.fields).toContainEqual({ name: 'owner', remoteType: 'user', action: 'transformed', localType: 'dropdown', reason: expect.any(String) });
    expect(result.fields).toContainEqual({ name: 'number', remoteType: 'autoincrement', action: 'skipped', reason: expect.any(String) });
    expect(result.report).toMatchObject({ ...REPORT, outcome: 'success', counts: { ...COUNTS, seen: 1, created: 1 } });

    const text = await cli(['clone', 'origin', String(pair.tracker.id), '--as', 'Bugs2'], { data: pair.cloneDir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/owner\s+transformed user -> dropdown/);
    expect(text.stdout).toMatch(/person\s+transformed itemlink -> text/);
    expect(text.stdout).toMatch(/files\s+kept \(files\)/);
    expect(text.stdout).toMatch(/wiki\s+skipped \(page\)/);
    expect(text.stdout).toMatch(/title\s+kept \(text\)/);
    expect(text.stdout).toMatch(/seen 1: created 1/);

    const taken = await cli(['clone', 'origin', 'Bugs'], { data: pair.cloneDir });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/--as/);
    const list = await cli(['tracker', 'list', '--json'], { data: pair.cloneDir });
    expect(list.json<{ name: string; remote?: { name: string } }[]>().map((t) => [t.name, t.remote?.name])).toEqual([
      ['Bugs', 'origin'],
      ['Bugs2', 'origin'],
    ]);
  });
});

describe('s15n reload, status, resolve, log', { timeout: 60_000 }, () => {
  it('reload --json prints the REPORT; exit 0 when clean, 3 when conflicts remain, 1 when the run failed', async () => {
    const { data, remoteId } = await cloned();
    const clean = await cli(['reload', 'Bugs', '--json'], { data });
    expect(clean.code).toBe(0);
    expect(clean.json()).toMatchObject({ ...REPORT, outcome: 'success', dryRun: false });

    localEdit(pair!, remoteId, { title: 'mine' });
    masterEdit(pair!, remoteId, { title: 'theirs' });
    const dry = await cli(['reload', 'Bugs', '--dry-run', '--json'], { data });
    expect(dry.code).toBe(3);
    expect(dry.json()).toMatchObject({ dryRun: true, counts: { conflicts: 1 } });
    const conflicted = await cli(['reload', 'Bugs'], { data });
    expect(conflicted.code).toBe(3);
    expect(conflicted.stdout).toMatch(/reload of Bugs: warning/);
    expect(conflicted.stdout).toMatch(/conflicts 1/);
    // Conflicts stored earlier still count: nothing new to apply, but one conflict remains.
    expect((await cli(['reload', 'Bugs', '--json'], { data })).code).toBe(3);

    const refused = await cli(['reload', 'Bugs', '--json'], { data, env: { S15N_PASSWORD_ORIGIN: 'wrong' } });
    expect(refused.code).toBe(1);
    expect(refused.json()).toMatchObject({ outcome: 'error', errors: [{ id: null, message: expect.stringMatching(/refused the credentials/) }] });
    expect(refused.stderr).toMatch(/^s15n: .*refused the credentials/m);
    expect(refused.stdout + refused.stderr).not.toContain(PASSWORDS.root);

    expect((await cli(['reload', 'NoSuch'], { data })).code).toBe(1);
    expect((await cli(['reload', 'Bugs', '--batch-size', 'many'], { data })).code).toBe(2);
  });

  it('status --json has tracker, new, modified, deleted and conflicts, exit 0 even with conflicts', async () => {
    const { data, remoteId } = await cloned();
    localEdit(pair!, remoteId, { title: 'mine' });
    masterEdit(pair!, remoteId, { title: 'theirs' });
    await cli(['reload', 'Bugs'], { data });
    const tracker = pair!.clone.getTracker('Bugs');
    pair!.clone.createItem(tracker.id, { values: { title: 'new one' } }, null);
    const result = await cli(['status', 'Bugs', '--json'], { data });
    expect(result.code).toBe(0);
    const body = result.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      tracker: { id: tracker.id, name: 'Bugs', remote: 'origin' },
      new: [{ id: expect.any(Number), status: 'open', version: 1, values: { title: 'new one' } }],
      modified: [],
      deleted: [],
      conflicts: [{ id: expect.any(Number), kind: 'fields', fields: [{ name: 'title', base: 'first', local: 'mine', remote: 'theirs' }] }],
    });
    const text = await cli(['status', 'Bugs'], { data });
    expect(text.stdout).toMatch(/title: base first \| local mine \| remote theirs/);
  });

  it('resolve: exit 0 when the item is settled, 3 while other fields conflict, 2 for bad usage, 1 for an unknown item', async () => {
    const { data, remoteId } = await cloned();
    localEdit(pair!, remoteId, { title: 'mine', owner: 'eddie' });
    masterEdit(pair!, remoteId, { title: 'theirs', owner: 'vera' });
    await cli(['reload', 'Bugs'], { data });
    const status = (await cli(['status', 'Bugs', '--json'], { data })).json<{ conflicts: { id: number }[] }>();
    const id = String(status.conflicts[0]!.id);

    expect((await cli(['resolve', 'Bugs', id, '--field', 'title', '--take', 'sideways'], { data })).code).toBe(2);
    expect((await cli(['resolve', 'Bugs', id, '--field', 'owner', '--take', 'value', '--value', 'nobody'], { data })).code).toBe(2);
    expect((await cli(['resolve', 'Bugs', '999', '--take', 'local'], { data })).code).toBe(1);

    const first = await cli(['resolve', 'Bugs', id, '--field', 'title', '--take', 'remote', '--json'], { data });
    expect([first.code, first.stderr]).toEqual([3, '']);
    expect(first.json()).toMatchObject({ id: Number(id), kind: 'fields', action: 'fields', resolved: ['title'], remaining: ['owner'], item: { values: { title: 'theirs', owner: 'eddie' } } });
    const second = await cli(['resolve', 'Bugs', id, '--field', 'owner', '--take', 'value', '--value', 'root'], { data });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/no conflict left/);
    expect((await cli(['resolve', 'Bugs', id, '--take', 'local'], { data })).code).toBe(2);
  });

  it('log --json is an array of runs, newest first, each with the REPORT fields', async () => {
    const { data } = await cloned();
    await cli(['reload', 'Bugs', '--dry-run'], { data });
    const result = await cli(['log', 'Bugs', '--json'], { data });
    expect(result.code).toBe(0);
    const runs = result.json<Record<string, unknown>[]>();
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ ...REPORT, kind: 'reload', dryRun: true, id: expect.any(Number) });
    expect(runs[1]).toMatchObject({ ...REPORT, kind: 'clone', dryRun: false, counts: { ...COUNTS, created: 1 } });
    const text = await cli(['log', 'Bugs'], { data });
    expect(text.stdout).toMatch(/reload \(dry run\)\s+success\s+seen 0/);
  });
});
