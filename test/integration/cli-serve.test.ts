/** `s15n serve` as a child process: one line when listening, the API answering, a clean stop on SIGTERM and SIGINT. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { CLI, cliEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

const PASSWORD = 'correct:horse:battery';
let data: string;
let child: ChildProcessWithoutNullStreams | undefined;

beforeEach(() => {
  data = join(tempDir(), 'data');
  const store = openLocalStore(data, { create: true });
  const tracker = store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text', required: true }] });
  store.createItems(tracker.id, [{ values: { title: 'first' } }], null);
  store.close();
  expect(runCli(['user', 'add', 'alice', '--password-stdin'], { data, input: `${PASSWORD}\n` }).code).toBe(0);
  expect(runCli(['grant', 'alice', 'Bugs', 'edit'], { data }).code).toBe(0);
});

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  line: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `s15n serve` and resolves with the first line it prints on stdout. */
function serve(args: string[]): Promise<Served> {
  const started = spawn(process.execPath, [CLI, '--data', data, 'serve', ...args], { env: cliEnv(), cwd: tempDir() });
  child = started;
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    started.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    started.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve({ child: started, line: out.slice(0, end), stdout: () => out, stderr: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code} before listening: ${err}`)));
  });
}

const auth = { authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` };

describe('serve', () => {
  it('prints {url, host, port} on port 0, answers the API, and stops on SIGTERM with exit 0 (--json)', async () => {
    const served = await serve(['--port', '0', '--json', '--log-level', 'silent']);
    const info = JSON.parse(served.line) as { url: string; host: string; port: number };
    expect(info.host).toBe('127.0.0.1');
    expect(info.port).toBeGreaterThan(0);
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);

    expect(await (await fetch(`${info.url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${info.url}/api/v1/trackers`)).status).toBe(401);
    const trackers = (await (await fetch(`${info.url}/api/v1/trackers`, { headers: auth })).json()) as { trackers: { name: string }[] };
    expect(trackers.trackers.map((t) => t.name)).toEqual(['Bugs']);
    const push = await fetch(`${info.url}/api/v1/trackers/Bugs/push`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'k-1', values: { title: 'from the test' } }] }),
    });
    expect(((await push.json()) as { results: { status: string }[] }).results[0]!.status).toBe('created');
    const changes = (await (await fetch(`${info.url}/api/v1/trackers/Bugs/changes?since=0`, { headers: auth })).json()) as { changes: { values: { title: string } }[]; more: boolean };
    expect(changes.changes.map((c) => c.values.title)).toEqual(['first', 'from the test']);

    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.stdout()).toBe(`${served.line}\n`);
  });

  it('prints one human line, logs only on stderr, and stops on SIGINT with exit 0', async () => {
    const served = await serve(['--port', '0']);
    expect(served.line).toMatch(/^s15n serving on http:\/\/127\.0\.0\.1:\d+$/);
    const url = served.line.replace('s15n serving on ', '');
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    served.child.kill('SIGINT');
    expect(await served.exit).toBe(0);
    expect(served.stdout()).toBe(`${served.line}\n`);
    expect(served.stderr()).not.toContain(PASSWORD);
  });

  it('refuses bad options with exit 2 before listening', () => {
    for (const args of [['--tls-cert', 'cert.pem'], ['--tls-key', 'key.pem'], ['--port', '70000'], ['--port', 'http'], ['--log-level', 'loud'], ['--body-limit', 'huge']]) {
      const result = runCli(['serve', ...args, '--json'], { data });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.json(), args.join(' ')).toMatchObject({ error: { code: 'bad_input' } });
    }
  });

  it('fails with exit 1 and a clear message when the port is taken, or with no instance', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = runCli(['serve', '--port', String(port)], { data });
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`s15n: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(taken.stderr).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
    expect(runCli(['serve', '--port', '0'], { data: join(tempDir(), 'none') }).code).toBe(1);
  });
});
