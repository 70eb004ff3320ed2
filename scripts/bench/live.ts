/**
 * `npm run bench -- --live`: live sync on loopback (DESIGN §11). A master in its own process;
 * watchers that are real `s15n sync --watch --json` processes for the propagation figures (a
 * commit on the master to the change applied on each watching clone, with 1 and with 20 of
 * them; a commit by another process on the master's file; a local edit on a watching clone to
 * its commit on the master), and 100 idle watchers (four processes of 25 watches, each its own
 * clone and connection) for the server's CPU and RSS over a minute.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import type { Report } from '../../client/sync/report.js';
import type { SuiteResult } from './figures.js';
import { TRACKER_NAME } from './items.js';
import { liveFigures, type LiveSamples } from './live-figures.js';
import { now } from './clock.js';
import type { Processes } from './processes.js';
import { Child } from './rpc.js';
import { BUILT_CLI } from './startup.js';

type Log = (line: string) => void;
type Master = Child;
interface Usage {
  cpuMs: number;
  rssMb: number;
  at: number;
  feeds: number;
}

const MASTER_SCRIPT = fileURLToPath(new URL('./live-master.js', import.meta.url));
const WATCHERS_SCRIPT = fileURLToPath(new URL('./live-watchers.js', import.meta.url));
const ROUNDS = { one: 100, twenty: 40, otherProcess: 40, localEdit: 30 } as const;
const IDLE_WATCHERS = 100;
const IDLE_PROCESSES = 4;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Between rounds: a random pause, so commits do not fall in step with any timer. */
const between = () => pause(20 + Math.random() * 60);

/** `s15n sync TRACKER --watch --json` on a clone: its reports as they are printed. */
class CliWatcher {
  readonly reports: (Report & { reload: Report & { token: { to: number } } })[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private waiters: (() => void)[] = [];
  private stderr = '';

  constructor(dir: string) {
    this.child = spawn(process.execPath, [BUILT_CLI, '--data', dir, '--json', 'sync', TRACKER_NAME, '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Kept to say why, should a watcher fail; its notes (watching, stopping) are not the bench's output.
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-2000)));
    let rest = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines.filter((l) => l !== '')) this.reports.push(JSON.parse(line));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** The first report whose reload part reached `seq`; throws after `timeoutMs`. */
  async applied(seq: number, timeoutMs = 15_000): Promise<Report & { reload: Report }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.reports.find((r) => r.reload?.token?.to >= seq);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`a watcher never applied seq ${seq}: ${this.stderr}`);
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), pause(100)]);
    }
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Rounds of one commit each (made by `commit`); per round and watcher, the ms from the commit to the change applied. */
async function propagation(watchers: CliWatcher[], rounds: number, commit: (round: number) => Promise<{ seq: number; at: number }>): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { seq, at } = await commit(round);
    // endedAt is whole ms: its middle is the unbiased moment (±0.5 ms).
    for (const report of await Promise.all(watchers.map((w) => w.applied(seq)))) samples.push(Date.parse(report.reload.endedAt) + 0.5 - at);
    await between();
  }
  return samples;
}

/** Local edits on a watched clone, made by this process (another one than the watcher): ms from the local commit to its commit on the master. */
async function localEdits(master: Master, dir: string, rounds: number): Promise<number[]> {
  const store = openLocalStore(dir);
  try {
    const local = store.getTracker(TRACKER_NAME);
    const replicas = new ReplicaState(store);
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const remoteId = 500 + (round % 100);
      const itemId = replicas.itemByRemoteId(local.id, remoteId)!.itemId;
      const mark = `local edit ${round}`;
      const landed = master.call<{ at: number }>('landed', { id: remoteId, mark });
      store.updateItems(local.id, [itemId], { values: { title: mark } }, null);
      const at = now();
      samples.push((await landed).at - at);
      await between();
    }
    return samples;
  } finally {
    store.close();
  }
}

/** 100 watches in four processes, idle for `seconds`: the master's CPU and RSS over that time. */
async function idleWatchers(master: Master, url: string, trackerId: number, root: string, seconds: number, log: Log): Promise<LiveSamples['idle']> {
  const before = await master.call<{ rssMb: number }>('usage');
  const children = Array.from({ length: IDLE_PROCESSES }, (_, k) => Child.start(`watchers ${k + 1}`, WATCHERS_SCRIPT));
  try {
    const per = IDLE_WATCHERS / IDLE_PROCESSES;
    const dirsOf = (k: number) => Array.from({ length: per }, (_, i) => join(root, 'idle', `w${k * per + i}`));
    await Promise.all(children.map((child, k) => child.call('clone', { url, dirs: dirsOf(k), trackerId })));
    await Promise.all(children.map((child, k) => child.call('watch', { dirs: dirsOf(k) })));
    // Each watch opens its feed after its first run: idle begins once every feed is open.
    let start = await master.call<Usage>('usage');
    for (let tries = 0; start.feeds < IDLE_WATCHERS && tries < 300; tries++) {
      await pause(100);
      start = await master.call<Usage>('usage');
    }
    const reportsAtStart = (await Promise.all(children.map((c) => c.call<{ reports: number }>('stats')))).reduce((n, s) => n + s.reports, 0);
    log(`idle: ${start.feeds} feeds open; ${seconds} s idle`);
    await pause(seconds * 1000);
    const end = await master.call<Usage>('usage');
    const stats = await Promise.all(children.map((c) => c.call<{ reports: number; notes: string[] }>('stats')));
    return {
      watchers: IDLE_WATCHERS,
      feedsOpen: end.feeds,
      seconds: (end.at - start.at) / 1000,
      cpuPercent: ((end.cpuMs - start.cpuMs) / (end.at - start.at)) * 100,
      rssGrowthMb: end.rssMb - start.rssMb,
      rssMb: { before: before.rssMb, start: start.rssMb, end: end.rssMb },
      runsWhileIdle: stats.reduce((n, s) => n + s.reports, 0) - reportsAtStart,
      notes: stats.flatMap((s) => s.notes),
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/** The propagation figures with 1 and 20 watchers, from another process on the master file, and of local edits. */
async function propagations(master: Master, dirs: string[], masterDir: string, trackerId: number, log: Log): Promise<Omit<LiveSamples, 'idle' | 'items'>> {
  const touch = (round: number) => master.call<{ seq: number; at: number }>('touch', { id: 1 + (round % 400), mark: `live ${round} ${Date.now()}` });
  const watchers = [new CliWatcher(dirs[0]!)];
  try {
    await watchers[0]!.applied(0, 30_000);
    const one = await propagation(watchers, ROUNDS.one, touch);
    log(`1 watcher: ${one.length} samples`);
    const store = openLocalStore(masterDir);
    const otherProcess = await propagation(watchers, ROUNDS.otherProcess, async (round) => {
      const [item] = store.updateItems(trackerId, [401 + (round % 99)], { values: { title: `other process ${round}` } }, null);
      return { seq: item!.seq, at: now() };
    });
    store.close();
    log(`commits by another process on the master file: ${otherProcess.length} samples`);
    const localEdit = await localEdits(master, dirs[0]!, ROUNDS.localEdit);
    log(`local edits to the master: ${localEdit.length} samples`);
    watchers.push(...dirs.slice(1).map((dir) => new CliWatcher(dir)));
    await Promise.all(watchers.map((w) => w.applied(0, 60_000)));
    const twenty = await propagation(watchers, ROUNDS.twenty, touch);
    log(`${watchers.length} watchers: ${twenty.length} samples`);
    return { one, twenty, otherProcess, localEdit, watchers: watchers.length };
  } finally {
    await Promise.all(watchers.map((w) => w.stop()));
  }
}

export async function runLive(p: Processes, root: string, items: number, idleSeconds: number, log: Log): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  log(`building the master: ${items} items`);
  const { trackerId } = await p.task<{ trackerId: number }>('buildMaster', { dir: masterDir, items });
  const master = Child.start('live master', MASTER_SCRIPT);
  const cloner = Child.start('cloner', WATCHERS_SCRIPT);
  try {
    const { url } = await master.call<{ url: string }>('start', { dir: masterDir });
    const dirs = Array.from({ length: 20 }, (_, i) => join(root, 'watchers', `w${i}`));
    log('cloning for 20 watchers');
    await cloner.call('clone', { url, dirs, trackerId });
    await cloner.stop();
    const figures = await propagations(master, dirs, masterDir, trackerId, log);
    log(`idle: ${IDLE_WATCHERS} watchers in ${IDLE_PROCESSES} processes`);
    const idle = await idleWatchers(master, url, trackerId, root, idleSeconds, log);
    return liveFigures({ ...figures, idle, items });
  } finally {
    await master.stop();
  }
}
