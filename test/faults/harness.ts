/**
 * The fault trials' common ground: a master served by a real `s15n serve` process (so it can be
 * killed), a clone driven by real CLI processes (so they can be killed), a fault proxy between
 * them, seeded scenarios of local and remote changes, and the checks every trial ends with.
 *
 * `S15N_LONG=1` runs the long mode (20 trials of each kind); `S15N_SEED=N` replays one seed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { type SyncRun, ReplicaState, openLocalStore } from '../../client/replica/index.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import type { Report } from '../../client/sync/report.js';
import { status } from '../../client/sync/status.js';
import type { Values } from '../../shared/model/values.js';
import { isPostgresUrl } from '../../server/store/location.js';
import { CLI, type CliResult, cliEnv } from '../helpers/cli.js';
import { PASSWORDS, tempDir } from '../helpers/instance.js';
import { runCliAsync } from '../helpers/sync.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { seededRandom } from '../../shared/random.js';

export const LONG = Boolean(process.env.S15N_LONG);
/** Trials of each kind: a few in `npm test`, at least 20 in the long mode. */
export const TRIALS = LONG ? 20 : 2;
export const BASE_SEED = process.env.S15N_SEED ? Number(process.env.S15N_SEED) : 20261123;
/** Long enough for a loaded 2-core CI machine; a trial normally takes a few seconds. */
export const TRIAL_TIMEOUT = 120_000;

export const seeded = seededRandom;

/** `count` distinct indexes below `n` not in `taken`, chosen by `random`, added to `taken`. */
function pick(random: () => number, n: number, count: number, taken: Set<number>): number[] {
  const chosen: number[] = [];
  while (chosen.length < count) {
    const i = Math.floor(random() * n);
    if (taken.has(i)) continue;
    taken.add(i);
    chosen.push(i);
  }
  return chosen;
}

export const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'notes', type: 'textarea' },
  { name: 'n', type: 'number' },
  { name: 'labels', type: 'multiselect', options: ['a', 'b', 'c', 'd'] },
] as const;

const notes = (i: number, v: string) => Array.from({ length: 6 }, (_, line) => `${v} line ${line} of item ${i}: ${'x'.repeat(30)}`).join('\n');

export interface MasterProcess {
  port: number;
  child: ChildProcess;
  /** Resolves with the signal that ended it. */
  exited: Promise<NodeJS.Signals | null>;
  stderr(): string;
}

/** `s15n serve --port 0` on `dataDir` (or a postgres:// URL) as a process of its own. */
export async function serveProcess(dataDir: string): Promise<MasterProcess> {
  const instance = isPostgresUrl(dataDir) ? '--store' : '--data';
  const child = spawn(process.execPath, [CLI, instance, dataDir, '--json', 'serve', '--port', '0', '--log-level', 'warn'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s15n serve exited (${code}) before listening: ${err}`)));
  });
  return { port, child, exited, stderr: () => err };
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI on the clone's data dir (no waiting). */
export function spawnCli(dataDir: string, args: string[]): { child: ChildProcess; exited: Promise<CliExit> } {
  const child = spawn(process.execPath, [CLI, '--data', dataDir, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<CliExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return { child, exited };
}

export type Phase = 'clone' | 'reload' | 'push';

/** What the trial expects at the end, by title: the values of the fields it touched, or gone. */
type Expected = Map<string, Values | 'deleted'>;

export interface Scenario {
  phase: Phase;
  seed: number;
  masterDir: string;
  cloneDir: string;
  proxy: FaultProxy;
  /** The master process; a restart replaces it. */
  master: MasterProcess;
  expected: Expected;
  /** The CLI arguments of the operation under test. */
  operation: string[];
  cleanup(): Promise<void>;
}

const ITEMS = 400;

/**
 * Builds the world of one trial: a master of ITEMS items served by a process, a clone (for the
 * reload and push phases, cloned and changed on both sides, on different fields, so the
 * expected end state is known exactly), and the fault proxy the clone talks through.
 */
export async function scenario(phase: Phase, seed: number): Promise<Scenario> {
  const random = seeded(seed);
  const masterDir = join(tempDir('s15n-fault-'), 'master');
  const cloneDir = join(tempDir('s15n-fault-'), 'clone');
  const expected: Expected = new Map();

  const m = openLocalStore(masterDir, { create: true });
  await m.addUser('root', PASSWORDS.root, { admin: true });
  const mt = m.createTracker({ name: 'Tasks', fields: FIELDS.map((f) => ({ ...f, options: 'options' in f ? [...f.options] : undefined })) });
  const items = m.createItems(
    mt.id,
    Array.from({ length: ITEMS }, (_, i) => ({ values: { title: `m${i}`, notes: notes(i, 'v0'), n: i } })),
    'root',
  );
  for (let i = 0; i < ITEMS; i += 1) expected.set(`m${i}`, { notes: notes(i, 'v0'), n: i });
  m.close();

  const master = await serveProcess(masterDir);
  const proxy = await startFaultProxy(master.port);
  const operation = {
    clone: ['clone', 'origin', 'Tasks', '--batch-size', '25'],
    reload: ['reload', 'Tasks', '--batch-size', '20'],
    push: ['push', 'Tasks', '--batch-size', '10'],
  }[phase];
  const world: Scenario = {
    phase,
    seed,
    masterDir,
    cloneDir,
    proxy,
    master,
    expected,
    operation,
    cleanup: async () => {
      await proxy.close();
      world.master.child.kill('SIGKILL');
      await world.master.exited;
      rmSync(dirname(masterDir), { recursive: true, force: true });
      rmSync(dirname(cloneDir), { recursive: true, force: true });
    },
  };
  // A set-up that fails leaves no server behind.
  try {
    const c = openLocalStore(cloneDir, { create: true });
    addRemote(c, { name: 'origin', url: proxy.url, user: 'root', password: PASSWORDS.root });

    if (phase !== 'clone') {
      await clone(c, 'origin', 'Tasks', { remote: { retries: 0, timeoutMs: 20_000 } });
      const t = c.getTracker('Tasks');
      const replicas = new ReplicaState(c);
      const localId = (i: number) => replicas.itemByRemoteId(t.id, items[i]!.id)!.itemId;
      const taken = new Set<number>();
      const remoteEdits = pick(random, ITEMS, 60, taken);
      const remoteDeletes = pick(random, ITEMS, 10, taken);
      const localDeletes = pick(random, ITEMS, 10, taken);
      // Local edits of labels, some on items the remote edits too (other fields: no conflict).
      const localEdits = [...remoteEdits.slice(0, 20), ...pick(random, ITEMS, 40, taken)];

      const mm = openLocalStore(masterDir);
      for (const i of remoteEdits) {
        mm.updateItem(mt.id, items[i]!.id, { values: { n: 10_000 + i, notes: notes(i, 'remote') } }, 'root');
        expected.set(`m${i}`, { ...(expected.get(`m${i}`) as Values), n: 10_000 + i, notes: notes(i, 'remote') });
      }
      mm.deleteItems(mt.id, remoteDeletes.map((i) => items[i]!.id), 'root');
      for (const i of remoteDeletes) expected.set(`m${i}`, 'deleted');
      const remoteNew = phase === 'reload' ? 150 : 20;
      mm.createItems(mt.id, Array.from({ length: remoteNew }, (_, k) => ({ values: { title: `r${k}`, n: k } })), 'root');
      for (let k = 0; k < remoteNew; k += 1) expected.set(`r${k}`, { n: k });
      mm.close();

      for (const i of localEdits) {
        const labels = ['a', 'b', 'c', 'd'].filter(() => random() < 0.5);
        if (labels.length === 0) labels.push('d');
        c.updateItem(t.id, localId(i), { values: { labels } }, null);
        expected.set(`m${i}`, { ...(expected.get(`m${i}`) as Values), labels });
      }
      c.deleteItems(t.id, localDeletes.map(localId), null);
      for (const i of localDeletes) expected.set(`m${i}`, 'deleted');
      const localNew = phase === 'push' ? 150 : 20;
      c.createItems(t.id, Array.from({ length: localNew }, (_, k) => ({ values: { title: `l${k}`, notes: notes(k, 'local') } })), null);
      for (let k = 0; k < localNew; k += 1) expected.set(`l${k}`, { notes: notes(k, 'local') });
      // Before a push under test, the remote's changes are taken in first: the push then has only its own work.
      if (phase === 'push') await reload(c, 'Tasks', { remote: { retries: 0, timeoutMs: 20_000 } });
    }
    c.close();

  } catch (error) {
    await world.cleanup();
    throw error;
  }
  return world;
}

/** The direction whose bytes measure an operation's progress: what a push sends, what a clone or reload receives. */
export function progressOf(phase: Phase): 'up' | 'down' {
  return phase === 'push' ? 'up' : 'down';
}

function integrity(dataDir: string): string {
  const store = openLocalStore(dataDir);
  try {
    return (store.db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    store.close();
  }
}

async function cli(dataDir: string, args: string[]): Promise<CliResult> {
  return runCliAsync(args, { data: dataDir });
}

/**
 * Resumes after the fault (the rerun, then whatever the phase still owes: the reload's local
 * work is pushed, the push's answer reloaded) and checks the guarantees: nothing lost, nothing
 * duplicated, both sides converged, both files intact.
 */
export async function resumeAndCheck(world: Scenario): Promise<void> {
  const why = `seed ${world.seed} (${world.phase}); replay with S15N_SEED=${world.seed}`;
  // A clone killed before it created its tracker is run again; one killed later is completed by a reload.
  const args = world.phase === 'push' ? ['push', 'Tasks', '--json'] : runsOf(world.cloneDir).length === 0 ? ['clone', 'origin', 'Tasks', '--json'] : ['reload', 'Tasks', '--json'];
  const rerun = await cli(world.cloneDir, args);
  expect(rerun.code, `${why}: rerun: ${rerun.stderr}`).toBe(0);
  // clone --json wraps its report: {tracker, fields, report}.
  const body = rerun.json<{ counts?: Report['counts']; report?: Report }>();
  expect(body.report?.counts ?? body.counts, why).toMatchObject({ errors: 0, conflicts: 0 });
  if (world.phase === 'reload') {
    const push = await cli(world.cloneDir, ['push', 'Tasks', '--json']);
    expect(push.code, `${why}: push: ${push.stderr}`).toBe(0);
  }
  const settle = await cli(world.cloneDir, ['reload', 'Tasks', '--json']);
  expect(settle.code, `${why}: reload: ${settle.stderr}`).toBe(0);
  expect(settle.json<Report>().counts, why).toMatchObject({ errors: 0, conflicts: 0 });

  const master = openLocalStore(world.masterDir);
  const local = openLocalStore(world.cloneDir);
  try {
    const mt = master.getTracker('Tasks');
    const lt = local.getTracker('Tasks');
    const onMaster = master.listItems(mt.id);
    const mine = local.listItems(lt.id);
    // Nothing duplicated: every title once on the master.
    const titles = onMaster.map((i) => i.values.title as string);
    expect(titles.length - new Set(titles).size, `${why}: duplicated on the master`).toBe(0);
    // Nothing lost, nothing resurrected: exactly the expected items, with every change of both sides.
    const live = [...world.expected].filter(([, v]) => v !== 'deleted').map(([title]) => title);
    expect([...titles].sort(), why).toEqual(live.sort());
    const byTitle = new Map(onMaster.map((i) => [i.values.title as string, i]));
    for (const title of live) expect(byTitle.get(title)!.values, `${why}: ${title}`).toMatchObject(world.expected.get(title) as Values);
    // Converged: the clone holds the master's items, each mapped to its own remote item.
    const replicas = new ReplicaState(local);
    const byId = new Map(onMaster.map((i) => [i.id, i]));
    const remoteIds = mine.map((i) => replicas.itemState(i.id)?.remoteId ?? null);
    expect(new Set(remoteIds).size, why).toBe(mine.length);
    expect(mine.length, why).toBe(onMaster.length);
    for (const [k, item] of mine.entries()) {
      const remote = byId.get(remoteIds[k] ?? -1);
      expect({ status: item.status, values: item.values }, `${why}: local item ${item.id}`).toEqual({ status: remote?.status, values: remote?.values });
    }
    const st = status(local, 'Tasks');
    expect([st.new.length, st.modified.length, st.deleted.length, st.conflicts.length], why).toEqual([0, 0, 0, 0]);
  } finally {
    master.close();
    local.close();
  }
  expect(integrity(world.masterDir), why).toBe('ok');
  expect(integrity(world.cloneDir), why).toBe('ok');
}

/** The runs of the clone's tracker, newest first. */
export function runsOf(dataDir: string): SyncRun[] {
  const store = openLocalStore(dataDir);
  try {
    const tracker = store.findTracker('Tasks');
    return tracker ? new ReplicaState(store).log.list(tracker.id) : [];
  } finally {
    store.close();
  }
}

/** Bytes of progress a whole fault-free run of each phase moves, measured once per file. */
export async function calibrate(phase: Phase, seed: number): Promise<number> {
  const world = await scenario(phase, seed);
  try {
    const run = spawnCli(world.cloneDir, world.operation);
    const done = await run.exited;
    expect(done.code, done.stderr).toBe(0);
    return world.proxy.bytes()[progressOf(phase)];
  } finally {
    await world.cleanup();
  }
}
