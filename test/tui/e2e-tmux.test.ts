/**
 * End to end in a real terminal: the built CLI (`node dist/client/cli/main.js`) inside tmux,
 * against a real master and clone; keys sent with send-keys, the screen read with
 * capture-pane, polled until it shows what is expected.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { type Pair, masterAndClone, masterItem } from './fixtures.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

class Terminal {
  readonly name = `s15n-e2e-${randomBytes(4).toString('hex')}`;

  /** Starts `command` in a detached 120x40 session; CI=false, or Ink draws nothing until exit. */
  constructor(command: string[]) {
    const quoted = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    tmux('new-session', '-d', '-s', this.name, '-x', '120', '-y', '40', '-e', 'CI=false', '-e', 'FORCE_COLOR=0', quoted);
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name);
  }

  alive(): boolean {
    return spawnSync('tmux', ['has-session', '-t', this.name]).status === 0;
  }

  async waitFor(expected: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const test = typeof expected === 'string' ? (s: string) => s.includes(expected) : expected instanceof RegExp ? (s: string) => expected.test(s) : expected;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // The session may end between the check and the capture (q quits at once): then it shows nothing.
      const screen = this.alive() ? (spawnSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' }).stdout ?? '') : '';
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(expected)}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async send(key: string, expected: string | RegExp | ((screen: string) => boolean)): Promise<string> {
    tmux('send-keys', '-t', this.name, key);
    return this.waitFor(expected);
  }

  async exited(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.alive()) {
      if (Date.now() > deadline) throw new Error(`still running:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  kill(): void {
    if (this.alive()) spawnSync('tmux', ['kill-session', '-t', this.name]);
  }
}

describe.skipIf(!hasTmux)('the terminal client in tmux', () => {
  let pair: Pair | undefined;
  let terminal: Terminal | undefined;
  afterEach(async () => {
    terminal?.kill();
    terminal = undefined;
    await pair?.close();
    pair = undefined;
  });

  it('s15n tui: trackers and help bar, s sync, r reload, a select all clean, p push, q back and quit', async () => {
    pair = await masterAndClone();
    const [m1, m2, m3] = pair.masterIds as [number, number, number];
    pair.clone.updateItems(pair.trackerId, [pair.local(m2)], { values: { done: true } }, null);
    pair.clone.createItems(pair.trackerId, [{ values: { title: 'Typed in tmux' } }], null);
    pair.master.store.updateItems(pair.tracker.id, [m3], { values: { estimate: 33 } }, 'eddie');
    pair.master.store.updateItems(pair.tracker.id, [m1], { values: { title: 'master title' } }, 'eddie');
    pair.clone.updateItems(pair.trackerId, [pair.local(m1)], { values: { title: 'clone title' } }, null);

    terminal = new Terminal([process.execPath, CLI, 'tui', '--data', pair.cloneDir]);
    let screen = await terminal.waitFor('? help');
    expect(screen).toMatch(/s15n Trackers/);
    expect(screen).toMatch(/Bugs\s+13\s+origin\/Bugs/);
    expect(screen).toMatch(/Enter items\s+s sync\s+c clone/);

    screen = await terminal.send('s', 'Modified with conflicts (0)');
    expect(screen).toContain('New local items (1)');
    screen = await terminal.send('r', 'Reload: warning');
    expect(screen).toMatch(/seen 2 · created 0 · updated 1/);
    expect(screen).toContain('Modified with conflicts (1)');
    await terminal.send('a', '2 selected');
    screen = await terminal.send('p', 'Push: success');
    expect(screen).toMatch(/created 1 · updated 1/);
    await terminal.send('q', /s15n Trackers/);
    await terminal.send('q', () => true);
    await terminal.exited();

    expect(masterItem(pair, m2)?.values.done).toBe(true);
    expect(pair.master.store.listItems(pair.tracker.id).some((item) => item.values.title === 'Typed in tmux')).toBe(true);
    expect(masterItem(pair, m1)?.values.title).toBe('master title');
  });

  it('s15n demo: sets up two instances, prints one line, opens the clone; Esc and q leave', async () => {
    terminal = new Terminal([process.execPath, CLI, 'demo', '--items', '60']);
    let screen = await terminal.waitFor('? help', 60_000);
    // The one line, wrapped by the terminal.
    const line = screen.split('\ns15n Trackers')[0]?.replace(/\n/g, '') ?? '';
    expect(line).toMatch(/^s15n demo: master http:\/\/127\.0\.0\.1:\d+ .*users alice\/alice-demo-pw \(admin\), bob\/bob-demo-pw \(edit\)/);
    expect(line).toMatch(/clone data \S+ \(remote origin as alice; tracker bugs: 2 local edits, 1 new item, 1 conflict on item \d+\)/);
    expect(screen).toMatch(/bugs\s+63\s+origin\/bugs\s+\S+ \S+\s+1 conflict/);
    const root = /\(data (\S+)\/master;/.exec(line)?.[1];
    screen = await terminal.send('s', 'Modified with conflicts (1)');
    expect(screen).toContain('New local items (1)');
    expect(screen).toContain('Modified without conflicts (2)');
    await terminal.send('G', /›\s+\[!\]/);
    screen = await terminal.send('Enter', 'Conflict review');
    expect(screen).toMatch(/base \(last agreed\)\s+.*local \(yours\)\s+.*remote \(theirs\)/);
    await terminal.send('j', '<<<<<<< local (yours)');
    await terminal.send('Escape', /s15n Sync/);
    await terminal.send('q', /s15n Trackers/);
    await terminal.send('q', () => true);
    await terminal.exited(15_000);
    // The demo keeps its data dirs for the user to explore; the test does not need them.
    if (root?.includes('s15n-demo-')) rmSync(root, { recursive: true, force: true });
  });

  it('refuses to draw without a terminal: exit 2 and a clear message', () => {
    const result = runCli(['tui', '--data', '/nonexistent']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs an interactive terminal');
    expect(result.stdout).toBe('');
    const demo = runCli(['demo']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('needs an interactive terminal');
  });
});

describe('s15n demo --no-tui', () => {
  it('sets up, prints one JSON document with --json, serves the master until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--no-tui', '--json', '--items', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!out.trimEnd().endsWith('}') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const demo = JSON.parse(out) as { master: { url: string; dataDir: string }; clone: { dataDir: string; tracker: string }; users: { name: string; password: string; right: string }[] };
    expect(demo.users.map((u) => `${u.name}:${u.right}`)).toEqual(['alice:admin', 'bob:edit']);
    expect(demo.clone.tracker).toBe('bugs');
    const auth = `Basic ${Buffer.from('bob:bob-demo-pw').toString('base64')}`;
    const answer = await fetch(`${demo.master.url}/api/v1/trackers`, { headers: { authorization: auth } });
    expect(((await answer.json()) as { trackers: { name: string }[] }).trackers.map((t) => t.name)).toEqual(['components', 'bugs']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    rmSync(dirname(demo.master.dataDir), { recursive: true, force: true });
  });
});
