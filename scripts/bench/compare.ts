/**
 * `npm run bench:compare -- --ref REV`: the bench of this build against the bench of another
 * commit, in one run on one machine. The other commit is built in a temporary worktree; then,
 * round after round, each build's whole bench runs once (`--runs 1`), alternately, so that what
 * else the machine does weighs on both alike. Prints the medians over the rounds side by side.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Metric {
  label: string;
  unit: string;
  median: number | null;
  vsFloor?: number;
}

const KEYS = ['s15nClone', 's15nReload', 's15nReloadNone', 's15nPush', 's15nPushLater', 'merge', 'mergeTextarea', 's15nRss', 's15nServerRss', 'tuiKey', 'floorClone'] as const;
const HIGHER_IS_BETTER = new Set(['merge', 'mergeTextarea']);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function buildRef(ref: string, root: string): string {
  const dir = join(root, 'ref');
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

function benchOnce(dir: string, items: number, out: string): Record<string, Metric> {
  const result = spawnSync(process.execPath, [join(dir, 'dist/scripts/bench/run.js'), '--items', String(items), '--runs', '1', '--json', '--out', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`the bench of ${dir} failed (exit ${result.status})`);
  return (JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, Metric> }).metrics;
}

function show(value: number, unit: string): string {
  return unit === 'items/s' ? `${Math.round(value).toLocaleString('en')} items/s` : unit === 'MB' ? `${value.toFixed(1)} MB` : `${value.toFixed(1)} ms`;
}

function table(before: Record<string, Metric>[], after: Record<string, Metric>[]): string {
  const rows = ['| measure | before (median) | after (median) | after / before |', '|---|---|---|---|'];
  for (const key of KEYS) {
    const b = median(before.map((m) => m[key]?.median ?? NaN).filter(Number.isFinite));
    const a = median(after.map((m) => m[key]?.median ?? NaN).filter(Number.isFinite));
    const sample = after[0]?.[key] ?? before[0]?.[key];
    if (!sample || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const better = HIGHER_IS_BETTER.has(key) ? a >= b : a <= b;
    rows.push(`| ${sample.label} | ${show(b, sample.unit)} | ${show(a, sample.unit)} | ${(a / b).toFixed(2)}${better ? '' : ' (worse)'} |`);
  }
  const floorRatio = (ms: Record<string, Metric>[]) => median(ms.map((m) => m.s15nClone?.vsFloor ?? NaN).filter(Number.isFinite)).toFixed(2);
  rows.push(`| clone ÷ floor (same round) | ${floorRatio(before)}× | ${floorRatio(after)}× | |`);
  return rows.join('\n');
}

function main(): void {
  const { values } = parseArgs({ options: { ref: { type: 'string', default: 'HEAD~1' }, items: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
  const items = Number(values.items);
  const rounds = Number(values.rounds);
  const root = mkdtempSync(join(tmpdir(), 's15n-compare-'));
  const load = loadavg()[0]!;
  try {
    const ref = buildRef(values.ref, root);
    const before: Record<string, Metric>[] = [];
    const after: Record<string, Metric>[] = [];
    for (let round = 1; round <= rounds; round++) {
      process.stderr.write(`[compare] round ${round}/${rounds}: ${values.ref}\n`);
      before.push(benchOnce(ref, items, join(root, `before-${round}.json`)));
      process.stderr.write(`[compare] round ${round}/${rounds}: this build\n`);
      after.push(benchOnce(process.cwd(), items, join(root, `after-${round}.json`)));
    }
    process.stdout.write(`\n${values.ref} against this build: ${items} items, ${rounds} rounds alternating, load average ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end\n\n${table(before, after)}\n`);
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', join(root, 'ref')], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  }
}

main();
