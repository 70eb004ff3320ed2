/**
 * The whole bench in one run: the master built once (an s15n store and a PouchDB database holding
 * the same items), the three servers started in their own processes, then `runs` times the
 * floor, PouchDB and s15n in turn on fresh clones, then the merge engine and the TUI.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE } from '../../server/store/index.js';
import { type Measured, type Samples, type SuiteResult, figures } from './figures.js';
import { TRACKER_NAME } from './items.js';
import { cliClone } from './cli-clone.js';
import { type Processes, type Server, runDir } from './processes.js';
import type { Timed } from './s15n.js';
import { type KeyTimes, TUI_ITEMS } from './tui.js';

export const PUSH_EDITS = 1000;
const TUI_PRESSES = 30;

type Log = (line: string) => void;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Run {
  p: Processes;
  root: string;
  run: number;
  /** "run 2/3", for the progress lines. */
  at: string;
  items: number;
  /** Items changed on the master before each reload: 1%. */
  changed: number;
  samples: Samples;
  log: Log;
}

/** Two pushes of 1,000 edits in a row, each with the requests the server received for it. */
async function pushTwice<T extends { ms: number }>(server: Server, push: (offset: number) => Promise<T>): Promise<[T & { requests: number }, T & { requests: number }]> {
  const pushes: (T & { requests: number })[] = [];
  for (const offset of [1, 2]) {
    await server.requests();
    const pushed = await push(offset);
    pushes.push({ ...pushed, requests: (await server.requests()).total });
  }
  return pushes as [T & { requests: number }, T & { requests: number }];
}

async function floorRun({ p, root, run, at, samples, log }: Run, server: Server): Promise<void> {
  const floor = await p.task<Measured<{ items: number }>>('floorClone', { url: server.url, dir: runDir(root, run, 'floor') });
  samples.floorClone.push(floor);
  log(`${at}: floor clone ${seconds(floor.ms)} (${floor.items} rows)`);
}

/** PouchDB: clone, reload of 1%, then the first push after the clone (it reads the whole local feed) and a later one. */
async function pouchRun({ p, root, run, at, items, changed, samples, log }: Run, server: Server): Promise<void> {
  const dir = runDir(root, run, 'pouch');
  const clone = await p.task<Measured<{ items: number }>>('pouchPull', { url: server.url, dir });
  await server.edit(changed, `run ${run}`);
  const reload = await p.task<Measured<{ items: number }>>('pouchPull', { url: server.url, dir });
  const [push, later] = await pushTwice(server, (offset) =>
    p.task<Measured<{ items: number }>>('pouchPush', { url: server.url, dir, total: items, count: PUSH_EDITS, mark: `run ${run}.${offset}`, offset }),
  );
  samples.pouchClone.push(clone);
  samples.pouchReload.push(reload);
  samples.pouchPush.push(push);
  samples.pouchPushLater.push(later);
  log(
    `${at}: PouchDB clone ${seconds(clone.ms)}, reload 1% ${seconds(reload.ms)} (${reload.items} docs), ` +
      `push ${seconds(push.ms)} (${push.items} docs, ${push.requests} requests), later push ${seconds(later.ms)} (${later.requests} requests)`,
  );
}

/**
 * The clone two more ways, in the same run: without compression (what compression costs on
 * loopback), and through the built CLI, process start included (what a user waits for).
 */
async function cloneVariants({ p, root, run, at, samples, log }: Run, server: Server, trackerId: number): Promise<void> {
  const plain = await p.task<Measured<Timed & { items: number }>>('s15nClone', { url: server.url, dir: runDir(root, run, 's15n-plain'), trackerId, compression: false });
  const cli = await cliClone(runDir(root, run, 's15n-cli'), server.url, p.profileArgs('cli-clone'));
  if (cli.items !== plain.items) throw new Error(`the CLI clone loaded ${cli.items} items, the engine ${plain.items}`);
  samples.s15nClonePlain.push(plain);
  samples.cliClone.push({ ms: cli.ms, cpuMs: Number.NaN, rssMb: Number.NaN });
  log(`${at}: s15n clone without compression ${seconds(plain.ms)}; through the CLI (process included) ${seconds(cli.ms)}`);
}

/** s15n: clone, reload of 1%, reload with nothing changed, then two pushes of 1,000 edited items. */
async function s15nRun({ p, root, run, at, changed, samples, log }: Run, server: Server, trackerId: number): Promise<string> {
  const dir = runDir(root, run, 's15n');
  const clone = await p.task<Measured<Timed & { items: number }>>('s15nClone', { url: server.url, dir, trackerId });
  await server.edit(changed, `run ${run}`);
  const reload = await p.task<Measured<Timed>>('s15nReload', { dir });
  const reloadNone = await p.task<Measured<Timed>>('s15nReload', { dir });
  const [push, later] = await pushTwice(server, (offset) => p.task<Measured<Timed>>('s15nPush', { dir, count: PUSH_EDITS, mark: `run ${run}.${offset}`, offset }));
  samples.s15nClone.push(clone);
  samples.s15nReload.push(reload);
  samples.s15nReloadNone.push(reloadNone);
  samples.s15nPush.push(push);
  samples.s15nPushLater.push(later);
  samples.s15nCounts = { clone: clone.counts, reload: reload.counts, reloadNone: reloadNone.counts, push: push.counts, pushLater: later.counts };
  log(
    `${at}: s15n clone ${seconds(clone.ms)} (${clone.items} items, ${clone.rssMb} MB), reload 1% ${seconds(reload.ms)} (${reload.counts.updated} updated), ` +
      `reload 0 ${seconds(reloadNone.ms)}, push ${seconds(push.ms)} (${push.counts.updated} updated, ${push.requests} requests), later push ${seconds(later.ms)}`,
  );
  return dir;
}

async function tuiRun(p: Processes, source: { dir: string; tracker: string | null }, samples: Samples, log: Log): Promise<void> {
  log(`TUI: item list on ${TUI_ITEMS} items (${source.tracker ? 'the last clone' : 'a local tracker built for it'})`);
  try {
    samples.tui = await p.task<Measured<KeyTimes>>('tui', { ...source, presses: TUI_PRESSES });
  } catch (error) {
    samples.tuiError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    log(`TUI: n/a (${samples.tuiError})`);
  }
}

/** No figure yet: the lists each run adds to. */
function emptySamples(items: number, build: Record<string, number>): Samples {
  return {
    items,
    changed: Math.max(1, Math.round(items / 100)),
    pushEdits: PUSH_EDITS,
    floorClone: [],
    pouchClone: [],
    pouchReload: [],
    pouchPush: [],
    pouchPushLater: [],
    s15nClone: [],
    s15nClonePlain: [],
    cliClone: [],
    s15nReload: [],
    s15nReloadNone: [],
    s15nPush: [],
    s15nPushLater: [],
    merge: [],
    mergeTextarea: [],
    serverRssMb: {},
    build,
  };
}

export async function runSuite(p: Processes, root: string, items: number, runs: number, log: Log): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  const pouchDir = join(root, 'pouch-master');
  log(`building the master: ${items} items in s15n and in PouchDB`);
  const [master, seeded] = await Promise.all([
    p.task<Measured<{ trackerId: number }>>('buildMaster', { dir: masterDir, items }),
    p.task<Measured>('seedPouch', { dir: pouchDir, items }),
  ]);
  log(`  s15n master ${seconds(master.ms)}, PouchDB master ${seconds(seeded.ms)}`);
  const { trackerId } = master;
  const [floorServer, pouchServer, s15nServer] = await Promise.all([
    p.server({ kind: 'floor', dir: join(masterDir, DB_FILE), trackerId, items }),
    p.server({ kind: 'pouch', dir: pouchDir, trackerId: 0, items }),
    p.server({ kind: 's15n', dir: masterDir, trackerId, items }),
  ]);
  const samples = emptySamples(items, { s15nMasterMs: master.ms, pouchMasterMs: seeded.ms });
  // At 100k items and more the TUI is timed on the last clone; below, on a local tracker of 100k.
  let tuiSource: { dir: string; tracker: string | null } = { dir: join(root, 'tui'), tracker: null };
  try {
    for (let run = 1; run <= runs; run++) {
      const context: Run = { p, root, run, at: `run ${run}/${runs}`, items, changed: samples.changed, samples, log };
      await floorRun(context, floorServer);
      await pouchRun(context, pouchServer);
      const clone = await s15nRun(context, s15nServer, trackerId);
      await cloneVariants(context, s15nServer, trackerId);
      const keep = run === runs && items >= TUI_ITEMS;
      if (keep) tuiSource = { dir: clone, tracker: TRACKER_NAME };
      for (const what of ['floor', 'pouch', 's15n-plain', 's15n-cli', ...(keep ? [] : ['s15n'])]) rmSync(runDir(root, run, what), { recursive: true, force: true });
    }
  } finally {
    samples.serverRssMb = { floor: await floorServer.rssMb(), pouch: await pouchServer.rssMb(), s15n: await s15nServer.rssMb() };
    await Promise.all([floorServer.stop(), pouchServer.stop(), s15nServer.stop()]);
  }
  for (let run = 1; run <= runs; run++) {
    samples.merge.push(await p.task('merge', { field: 'title' }));
    samples.mergeTextarea.push(await p.task('merge', { field: 'description' }));
  }
  log(`merge: ${samples.merge.map((r) => r.itemsPerSecond).join(', ')} items/s (text conflict); ${samples.mergeTextarea.map((r) => r.itemsPerSecond).join(', ')} (textarea conflict)`);
  await tuiRun(p, tuiSource, samples, log);
  return figures(samples);
}
