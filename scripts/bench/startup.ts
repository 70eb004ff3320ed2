/** `--startup`: how long the built CLI takes to start and answer, next to `node -e 0`, on an instance with one tracker of N items. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './figures.js';
import { FIELDS, TRACKER_NAME, benchItem } from './items.js';
import { type Metric, type Target, median, metric } from './report.js';

/** This build's CLI, the one `--startup` times unless `--cli` names another (an older build, to compare). */
export const BUILT_CLI = fileURLToPath(new URL('../../client/cli/main.js', import.meta.url));

/** The tracker size the goals are set for (and the default of --startup). */
export const STARTUP_ITEMS = 1000;

/** The goals, in ms over `node -e 0` (medians of one run): a command loads only the modules it uses (DESIGN §15). */
export const STARTUP_GOALS = { version: 80, itemList: 150 } as const;

interface Case {
  key: string;
  label: string;
  args: string[];
  /** Over node, at most this many ms; none: shown for reference. */
  goal?: number;
  why?: string;
}

/** The environment of every child: the parent's, without what would change how node or s15n start. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'NODE_OPTIONS' || name.startsWith('S15N_')) delete env[name];
  return env;
}

/** Runs node with `args` to its end; the elapsed ms from spawn to exit. A failure stops the bench. */
function timeRun(args: readonly string[], cwd: string): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, env: childEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error || result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.slice(0, 500)}`);
  }
  return { ms, stdout: result.stdout };
}

/** A fresh instance holding tracker `bench` of `items` items, built through the CLI being timed (`init`, `tracker import`). */
function buildInstance(cli: string, root: string, items: number): { data: string; ms: number } {
  const data = join(root, 'startup-data');
  const file = join(root, 'startup-tracker.json');
  writeFileSync(file, JSON.stringify({ name: TRACKER_NAME, fields: FIELDS, items: Array.from({ length: items }, (_, i) => benchItem(i)) }));
  const init = timeRun([cli, '--data', data, 'init'], root);
  const imported = timeRun([cli, '--data', data, '--json', 'tracker', 'import', file], root);
  const count = (JSON.parse(imported.stdout) as { items?: number }).items;
  if (count !== items) throw new Error(`tracker import loaded ${count} items, expected ${items}`);
  return { data, ms: init.ms + imported.ms };
}

function cases(cli: string, data: string, items: number): Case[] {
  const list = [cli, '--data', data, 'item', 'list', TRACKER_NAME];
  return [
    { key: 'node', label: 'node -e 0', args: ['-e', '0'] },
    { key: 'version', label: 's15n --version', args: [cli, '--version'], goal: STARTUP_GOALS.version },
    { key: 'itemList', label: `s15n item list (${items} items)`, args: list, goal: STARTUP_GOALS.itemList },
    { key: 'itemListJson', label: `s15n item list --json (${items} items)`, args: [...list, '--json'], goal: STARTUP_GOALS.itemList },
    { key: 'help', label: 's15n --help', args: [cli, '--help'], why: 'reference: every command module is loaded to list them' },
  ];
}

/** `runs` rounds, each running every case once, starting one case further each round so no case always runs first. */
function measure(list: readonly Case[], runs: number, cwd: string, log: (line: string) => void): number[][] {
  const times = list.map(() => [] as number[]);
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < list.length; k++) {
      const i = (round + k) % list.length;
      times[i]!.push(timeRun(list[i]!.args, cwd).ms);
    }
    log(`  round ${round + 1}/${runs}: ${list.map((c, i) => `${c.key} ${times[i]!.at(-1)!.toFixed(0)} ms`).join(', ')}`);
  }
  return times;
}

function target(c: Case, overNode: number, ms: number, nodeMs: number): Target {
  const measured = `${overNode >= 0 ? '+' : ''}${overNode.toFixed(0)} ms (${ms.toFixed(0)} ms; node ${nodeMs.toFixed(0)} ms)`;
  if (c.goal === undefined) return { name: `${c.label} over node -e 0`, goal: 'n/a', measured, status: 'n/a', ...(c.why ? { why: c.why } : {}) };
  return { name: `${c.label} over node -e 0`, goal: `≤ ${c.goal} ms`, measured, status: overNode <= c.goal ? 'met' : 'missed' };
}

export function runStartup(root: string, items: number, runs: number, cliPath: string | null, log: (line: string) => void): SuiteResult {
  const cli = resolve(cliPath ?? BUILT_CLI);
  log(`building an instance with ${items} items through ${cli}`);
  const built = buildInstance(cli, root, items);
  const list = cases(cli, built.data, items);
  // One untimed round: the disk cache holds the files, and each command is checked to succeed.
  for (const c of list) timeRun(c.args, root);
  log(`timing ${list.length} commands, ${runs} rounds, interleaved`);
  const times = measure(list, runs, root, log);
  const medians = times.map((t) => median(t)!);
  const nodeMs = medians[0]!;
  const metrics: Record<string, Metric> = {};
  const overNodeMs: Record<string, number> = {};
  const targets: Target[] = [];
  list.forEach((c, i) => {
    metrics[c.key] = metric(c.label, 'ms', times[i]!);
    if (i === 0) return;
    overNodeMs[c.key] = Math.round((medians[i]! - nodeMs) * 10) / 10;
    targets.push(target(c, medians[i]! - nodeMs, medians[i]!, nodeMs));
  });
  return { metrics, targets, details: { cli, items, buildMs: Math.round(built.ms), overNodeMs } };
}
