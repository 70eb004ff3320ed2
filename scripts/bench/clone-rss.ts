/** `--clone-rss N`: the peak RSS of the client and of the server while a clone of N items runs (each < 300 MB is the target). */
import { join } from 'node:path';
import type { Measured, SuiteResult } from './figures.js';
import type { Processes } from './processes.js';
import { type Target, metric } from './report.js';
import type { Timed } from './s15n.js';

export const RSS_LIMIT_MB = 300;

export async function runCloneRss(p: Processes, root: string, items: number, log: (line: string) => void): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  log(`building the master: ${items} items`);
  const master = await p.task<Measured<{ trackerId: number }>>('buildMaster', { dir: masterDir, items });
  log(`  built in ${(master.ms / 1000).toFixed(1)} s`);
  // A fresh server process: its peak is the clone's, not the build's.
  const server = await p.server({ kind: 's15n', dir: masterDir, trackerId: master.trackerId, items });
  let clone: Measured<Timed & { items: number }>;
  let serverRss: number;
  try {
    const idle = await server.rssMb();
    log(`server up (${idle} MB); cloning`);
    clone = await p.task('s15nClone', { url: server.url, dir: join(root, 'clone'), trackerId: master.trackerId });
    serverRss = await server.rssMb();
  } finally {
    await server.stop();
  }
  log(`clone of ${clone.items} items in ${(clone.ms / 1000).toFixed(1)} s: client peak ${clone.rssMb} MB, server peak ${serverRss} MB`);
  const metrics = {
    clone: metric(`s15n: clone of ${items} items`, 'ms', [clone.ms], undefined, [clone.cpuMs]),
    clientRss: metric('s15n: client peak RSS during the clone', 'MB', [clone.rssMb]),
    serverRss: metric('s15n: server peak RSS during the clone', 'MB', [serverRss]),
  };
  const target = (name: string, value: number): Target => ({ name, goal: `< ${RSS_LIMIT_MB} MB`, measured: `${value} MB`, status: value < RSS_LIMIT_MB ? 'met' : 'missed' });
  return {
    metrics,
    targets: [target('client peak RSS of a clone', clone.rssMb), target('server peak RSS of a clone', serverRss)],
    details: { masterBuildMs: master.ms, counts: clone.counts },
  };
}
