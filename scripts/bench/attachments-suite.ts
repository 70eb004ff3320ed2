/**
 * `--attachments MB`: the clone of a master of 1,000 items carrying MB megabytes of files, on
 * loopback, against the raw copy of the same bytes in the same run (plain HTTP GETs, as many at a
 * time, written and fsynced), run after run alternately; and the client's peak RSS (target
 * under 200 MB: the bytes stream to disk, never held).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Measured, SuiteResult } from './figures.js';
import type { Processes } from './processes.js';
import { type Target, median, metric, ratio } from './report.js';
import type { Timed } from './s15n.js';

export const ATTACHMENT_ITEMS = 1000;
export const ATTACHMENT_RSS_LIMIT_MB = 200;

type Raw = Measured<{ files: number; bytes: number }>;
type Clone = Measured<Timed & { items: number }>;

export async function runAttachments(p: Processes, root: string, megabytes: number, runs: number, log: (line: string) => void): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  const bytesEach = Math.floor((megabytes * 1024 * 1024) / ATTACHMENT_ITEMS);
  log(`building the master: ${ATTACHMENT_ITEMS} items, one file of ${bytesEach} bytes each`);
  const master = await p.task<Measured<{ trackerId: number; hashes: string[] }>>('buildAttachmentMaster', { dir: masterDir, items: ATTACHMENT_ITEMS, bytesEach });
  log(`  built in ${(master.ms / 1000).toFixed(1)} s`);
  const server = await p.server({ kind: 's15n', dir: masterDir, trackerId: master.trackerId, items: ATTACHMENT_ITEMS });
  const files = await p.server({ kind: 'files', dir: masterDir, trackerId: master.trackerId, items: ATTACHMENT_ITEMS });
  const raw: Raw[] = [];
  const clones: Clone[] = [];
  let serverRss: number;
  try {
    for (let run = 1; run <= runs; run++) {
      const rawDir = join(root, `raw-${run}`);
      raw.push(await p.task<Raw>('rawFetch', { url: files.url, hashes: master.hashes, dir: rawDir }));
      rmSync(rawDir, { recursive: true, force: true });
      const cloneDir = join(root, `clone-${run}`);
      const clone = await p.task<Clone>('s15nClone', { url: server.url, dir: cloneDir, trackerId: master.trackerId });
      rmSync(cloneDir, { recursive: true, force: true });
      clones.push(clone);
      log(`run ${run}: raw copy ${(raw.at(-1)!.ms / 1000).toFixed(2)} s, clone ${(clone.ms / 1000).toFixed(2)} s (${clone.items} items, ${JSON.stringify(clone.extra.attachments)}), client peak ${clone.rssMb} MB`);
    }
    serverRss = await server.rssMb();
  } finally {
    await server.stop();
    await files.stop();
  }
  const bytes = raw[0]?.bytes ?? 0;
  const metrics = {
    raw: metric(`raw copy of ${ATTACHMENT_ITEMS} files (${megabytes} MB) over loopback`, 'ms', raw.map((r) => r.ms), undefined, raw.map((r) => r.cpuMs)),
    clone: metric(`s15n: clone of ${ATTACHMENT_ITEMS} items carrying them`, 'ms', clones.map((c) => c.ms), undefined, clones.map((c) => c.cpuMs)),
    clientRss: metric('s15n: client peak RSS during the clone', 'MB', clones.map((c) => c.rssMb)),
    serverRss: metric('s15n: server peak RSS', 'MB', [serverRss]),
  };
  const vsRaw = ratio(metrics.clone, metrics.raw);
  const worstRss = Math.max(...clones.map((c) => c.rssMb));
  const rate = (ms: number | null) => (ms ? `${Math.round(bytes / 1024 / 1024 / (ms / 1000))} MB/s` : 'n/a');
  const targets: Target[] = [
    { name: `client peak RSS of a clone with ${megabytes} MB of files`, goal: `< ${ATTACHMENT_RSS_LIMIT_MB} MB`, measured: `${worstRss} MB`, status: worstRss < ATTACHMENT_RSS_LIMIT_MB ? 'met' : 'missed' },
    { name: 'clone time close to the raw copy of the same bytes', goal: 'close to 1×', measured: `${vsRaw ?? 'n/a'}× (${rate(metrics.clone.median)} against ${rate(metrics.raw.median)})`, status: 'n/a' },
  ];
  return { metrics, targets, details: { bytes, bytesEach, masterBuildMs: master.ms, cloneVsRaw: vsRaw, rawMedianMs: median(raw.map((r) => r.ms)), attachments: clones.map((c) => c.extra.attachments) } };
}
