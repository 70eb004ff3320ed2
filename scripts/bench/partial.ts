/**
 * `--partial`: the figures of DESIGN §12 on a master of N items, in one run and on one server:
 * a verify of an unchanged clone against cloning it again (time and bytes on the wire), and the
 * reload of 1% changes in a clone filtered to about 10% of the items, against the same reload
 * unfiltered and the filtered clone itself (its cost follows the changes, not the tracker).
 */
import { join } from 'node:path';
import type { Measured, SuiteResult } from './figures.js';
import { type Processes, type Server, runDir } from './processes.js';
import { type Metric, type Target, median, metric, show } from './report.js';
import type { Timed } from './s15n.js';

/** About 10% of the bench's items: their estimates are spread evenly over 0 to 40. */
export const PARTIAL_WHERE = '{"estimate": {"$lt": 4}}';

type Sample = Measured<Timed & { items?: number }> & { bytes: number; serverCpuMs: number };
interface Samples {
  clone: Sample[];
  verify: Sample[];
  partialClone: Sample[];
  reload: Sample[];
  partialReload: Sample[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** One task, with the bytes the server wrote for it and the CPU time the server spent. */
async function onWire(server: Server, task: () => Promise<Measured<Timed & { items?: number }>>): Promise<Sample> {
  await server.bytes();
  await server.cpuMs();
  const result = await task();
  return { ...result, bytes: await server.bytes(), serverCpuMs: await server.cpuMs() };
}

async function partialRun(p: Processes, server: Server, root: string, run: number, trackerId: number, changed: number, samples: Samples, log: (line: string) => void): Promise<void> {
  const full = runDir(root, run, 'full');
  const partial = runDir(root, run, 'partial');
  const clone = await onWire(server, () => p.task('s15nClone', { url: server.url, dir: full, trackerId }));
  const verify = await onWire(server, () => p.task('s15nReload', { dir: full, verify: true }));
  if ((verify.extra.repaired as number | undefined) !== 0) throw new Error(`the verify of an unchanged clone repaired ${String(verify.extra.repaired)} items`);
  const partialClone = await onWire(server, () => p.task('s15nClone', { url: server.url, dir: partial, trackerId, where: PARTIAL_WHERE }));
  await server.edit(changed, `partial run ${run}`);
  const reload = await onWire(server, () => p.task('s15nReload', { dir: full }));
  const partialReload = await onWire(server, () => p.task('s15nReload', { dir: partial }));
  samples.clone.push(clone);
  samples.verify.push(verify);
  samples.partialClone.push(partialClone);
  samples.reload.push(reload);
  samples.partialReload.push(partialReload);
  log(
    `run ${run}: clone ${seconds(clone.ms)} ${megabytes(clone.bytes)} (CPU client ${seconds(clone.cpuMs)}, server ${seconds(clone.serverCpuMs)}), ` +
      `verify ${seconds(verify.ms)} ${megabytes(verify.bytes)} (CPU client ${seconds(verify.cpuMs)}, server ${seconds(verify.serverCpuMs)}); ` +
      `partial clone ${seconds(partialClone.ms)} (${partialClone.items} items) ${megabytes(partialClone.bytes)}; ` +
      `reload 1% ${seconds(reload.ms)}, filtered ${seconds(partialReload.ms)} ${megabytes(partialReload.bytes)} (${JSON.stringify(partialReload.counts)}, left ${String(partialReload.extra.left ?? 0)})`,
  );
}

function figuresOf(s: Samples, items: number, changed: number): Record<string, Metric> {
  const time = (label: string, list: Sample[]) => metric(label, 'ms', list.map((r) => r.ms), undefined, list.map((r) => r.cpuMs));
  const bytes = (label: string, list: Sample[]) => metric(label, 'bytes', list.map((r) => r.bytes));
  const serverCpu = (label: string, list: Sample[]) => metric(label, 'ms', list.map((r) => r.serverCpuMs));
  const kept = s.partialClone[0]?.items ?? 0;
  return {
    clone: time(`s15n: clone of ${items} items`, s.clone),
    cloneBytes: bytes('s15n: bytes sent for the clone', s.clone),
    cloneServerCpu: serverCpu('s15n: server CPU for the clone', s.clone),
    verify: time('s15n: reload --verify of the unchanged clone', s.verify),
    verifyServerCpu: serverCpu('s15n: server CPU for the verify', s.verify),
    verifyBytes: bytes('s15n: bytes sent for the verify', s.verify),
    partialClone: time(`s15n: partial clone (${kept} items match ${PARTIAL_WHERE})`, s.partialClone),
    partialCloneBytes: bytes('s15n: bytes sent for the partial clone', s.partialClone),
    reload: time(`s15n: reload of 1% changed (${changed} items), full clone`, s.reload),
    partialReload: time(`s15n: reload of the same 1% changed, partial clone`, s.partialReload),
    partialReloadBytes: bytes('s15n: bytes sent for that filtered reload', s.partialReload),
  };
}

function targetsOf(m: Record<string, Metric>): Target[] {
  const ratio = (a: string, b: string) => (m[a]?.median && m[b]?.median ? m[a].median / m[b].median : null);
  const entry = (name: string, goal: string, value: number | null, ok: (v: number) => boolean, why: string): Target =>
    value === null ? { name, goal, measured: 'n/a', status: 'n/a' } : { name, goal, measured: `${(value * 100).toFixed(1)}% (${why})`, status: ok(value) ? 'met' : 'missed' };
  const cpu = (key: string) => (m[key]?.cpuMs?.median ?? 0) + (m[`${key}ServerCpu`]?.median ?? 0);
  const cpuRatio = cpu('clone') > 0 ? cpu('verify') / cpu('clone') : null;
  return [
    entry('verify of an unchanged clone: time', '< 50% of a clone', ratio('verify', 'clone'), (v) => v < 0.5, `${show(m.verify?.median ?? null, 'ms')} vs ${show(m.clone?.median ?? null, 'ms')}`),
    entry('verify of an unchanged clone: CPU, client + server', '< 50% of a clone', cpuRatio, (v) => v < 0.5, `${show(cpu('verify'), 'ms')} vs ${show(cpu('clone'), 'ms')}`),
    entry('verify of an unchanged clone: bytes', '< 10% of a clone', ratio('verifyBytes', 'cloneBytes'), (v) => v < 0.1, `${show(m.verifyBytes?.median ?? null, 'bytes')} vs ${show(m.cloneBytes?.median ?? null, 'bytes')}`),
    entry(
      'filtered reload of 1%: O(changes)',
      '≈ the unfiltered reload (≤ 150%), far below the filtered clone',
      ratio('partialReload', 'reload'),
      (v) => v <= 1.5 && (ratio('partialReload', 'partialClone') ?? 1) < 0.5,
      `${show(m.partialReload?.median ?? null, 'ms')} vs ${show(m.reload?.median ?? null, 'ms')} unfiltered, ${show(m.partialClone?.median ?? null, 'ms')} for the filtered clone`,
    ),
  ];
}

export async function runPartial(p: Processes, root: string, items: number, runs: number, log: (line: string) => void): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  log(`building the master: ${items} items`);
  const master = await p.task<Measured<{ trackerId: number }>>('buildMaster', { dir: masterDir, items });
  const server = await p.server({ kind: 's15n', dir: masterDir, trackerId: master.trackerId, items });
  const changed = Math.max(1, Math.round(items / 100));
  const samples: Samples = { clone: [], verify: [], partialClone: [], reload: [], partialReload: [] };
  try {
    for (let run = 1; run <= runs; run++) await partialRun(p, server, root, run, master.trackerId, changed, samples, log);
  } finally {
    await server.stop();
  }
  const metrics = figuresOf(samples, items, changed);
  return {
    metrics,
    targets: targetsOf(metrics),
    details: {
      where: PARTIAL_WHERE,
      changedItems: changed,
      partialReloadCounts: samples.partialReload.map((r) => ({ ...r.counts, left: r.extra.left ?? 0 })),
      verify: samples.verify.map((r) => r.extra.verify),
      medianVerifyToCloneTime: median(samples.verify.map((r, i) => r.ms / samples.clone[i]!.ms)),
    },
  };
}
