/**
 * The client's side of the wire (DESIGN §15): it asks for br or gzip and reads what comes, sends
 * large push bodies gzip'd (and neither when compression is off), names a refused remote within a
 * short, announced wait, shows every retry on stderr while --json keeps stdout one document, and
 * ends a wait at once on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { CLI, cliEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';
import { type TestProxy, proxyRemote } from '../helpers/proxy.js';
import { type SyncPair, runCliAsync, startPair } from '../helpers/sync.js';

let pair: SyncPair | undefined;
let proxy: TestProxy | undefined;
let stub: Server | undefined;
afterEach(async () => {
  await proxy?.close();
  await pair?.close();
  stub?.close();
  pair = proxy = stub = undefined;
});

async function pairWithItems(count: number): Promise<SyncPair> {
  pair = await startPair({ simple: true });
  pair.master.store.createItems(pair.tracker.id, Array.from({ length: count }, (_, i) => ({ values: { title: `item ${i}`, notes: `the notes of item ${i}\n`.repeat(4) } })), 'root');
  return pair;
}

describe('compression, as the client does it', () => {
  it('asks for br or gzip, reads the compressed stream, and sends a large push gzip-encoded', async () => {
    const p = await pairWithItems(300);
    proxy = await proxyRemote(p.clone, 'origin', p.master.url);
    const cloned = await clone(p.clone, 'origin', 'Tasks');
    expect(cloned.report.counts.created).toBe(300);
    const stream = proxy.requests.find((r) => r.path.includes('/changes'))!;
    expect(stream.headers['accept-encoding']).toBe('br, gzip');
    expect(stream.answer?.headers['content-encoding']).toBe('br');
    p.clone.updateItems(cloned.tracker.id, p.clone.listItems(cloned.tracker.id).slice(0, 50).map((i) => i.id), { values: { n: 7 } }, null);
    const pushed = await push(p.clone, 'Tasks');
    expect(pushed.counts.updated).toBe(50);
    const post = proxy.requests.find((r) => r.method === 'POST')!;
    expect(post.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(post.raw).toString('utf8')).changes).toHaveLength(50);
  });

  it('asks for none and sends plain JSON when compression is off', async () => {
    const p = await pairWithItems(50);
    proxy = await proxyRemote(p.clone, 'origin', p.master.url);
    const cloned = await clone(p.clone, 'origin', 'Tasks', { remote: { compression: false } });
    p.clone.updateItems(cloned.tracker.id, p.clone.listItems(cloned.tracker.id).map((i) => i.id), { values: { n: 1 } }, null);
    await push(p.clone, 'Tasks', { remote: { compression: false } });
    for (const request of proxy.requests) {
      expect(request.headers['accept-encoding'], request.path).toBe('identity');
      expect(request.answer?.headers['content-encoding'], request.path).toBeUndefined();
    }
    const post = proxy.requests.find((r) => r.method === 'POST')!;
    expect(post.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(post.body).changes).toHaveLength(50);
  });
});

/** A data dir with remote `name` at `url` (nothing is asked of the remote until a sync). */
function laptopWith(name: string, url: string): string {
  const data = join(tempDir(), 'laptop');
  expect(runCli(['init'], { data }).code).toBe(0);
  expect(runCli(['remote', 'add', name, url, '--user', 'root', '--password-stdin'], { data, input: 'pw' }).code).toBe(0);
  return data;
}

const RETRY_LINE = /^s15n: (\w+): GET \/api\/v1\/trackers\/Tasks failed: (.+); attempt (\d) of (\d), retrying in (\d+ ms|\d+\.\d s)$/;
/** The wait a retry line announces, in ms. */
const waitOf = (said: string) => (said.endsWith(' ms') ? Number(said.slice(0, -3)) : Number(said.slice(0, -2)) * 1000);

describe('failing fast and visibly', () => {
  it('names a refused remote after two announced retries under a second of waits; --json keeps stdout one document', async () => {
    const data = laptopWith('dead', 'http://127.0.0.1:1');
    const result = await runCliAsync(['clone', 'dead', 'Tasks', '--json'], { data });
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ error: { code: 'unavailable', message: 'cannot reach remote dead at http://127.0.0.1:1: ECONNREFUSED' } });
    const lines = result.stderr.trim().split('\n');
    const retries = lines.map((line) => RETRY_LINE.exec(line)).filter((m) => m !== null);
    expect(retries.map((m) => [m[1], m[2], m[3], m[4]])).toEqual([
      ['dead', 'connection refused (ECONNREFUSED)', '1', '3'],
      ['dead', 'connection refused (ECONNREFUSED)', '2', '3'],
    ]);
    expect(retries.reduce((sum, m) => sum + waitOf(m[5]!), 0)).toBeLessThan(1000);
    expect(lines.at(-1)).toBe('s15n: cannot reach remote dead at http://127.0.0.1:1: ECONNREFUSED');
  });

  it('names a refused port and an unknown host within 2 s of the start (1.5 s beyond what a command without network takes)', async () => {
    for (const [name, url, said] of [
      ['dead', 'http://127.0.0.1:1', 'ECONNREFUSED'],
      ['nowhere', 'http://no-such-host.invalid:8080', 'ENOTFOUND'],
    ] as const) {
      const data = laptopWith(name, url);
      // What a command costs that reaches no network (start-up, the store), at this moment's load:
      // the failing clone may take at most 1.5 s more than that (its two short retries included).
      let started = Date.now();
      await runCliAsync(['remote', 'list'], { data });
      const baseline = Date.now() - started;
      started = Date.now();
      const result = await runCliAsync(['clone', name, 'Tasks'], { data });
      expect(Date.now() - started - baseline, `${name} (a command without network took ${baseline} ms)`).toBeLessThan(1500);
      expect(result.code, name).toBe(1);
      expect(result.stderr.trim().split('\n').at(-1), name).toBe(`s15n: cannot reach remote ${name} at ${url}: ${said}`);
      // An unknown host will not appear a moment later: it is named at once, without a retry.
      if (said === 'ENOTFOUND') expect(result.stderr, name).not.toMatch(/retrying/);
    }
  });

  it('shows every retry of a 503 with its wait, and Ctrl-C ends the wait at once', async () => {
    stub = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"restarting"}}');
    });
    await new Promise<void>((resolve) => stub!.listen(0, '127.0.0.1', resolve));
    const data = laptopWith('busy', `http://127.0.0.1:${(stub.address() as AddressInfo).port}`);
    const child = spawn(process.execPath, [CLI, '--data', data, 'clone', 'busy', 'Tasks'], { env: cliEnv() });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // The wait after attempt 4 is two seconds or more: Ctrl-C as it starts.
        if (/attempt 4 of 5, retrying in .+\n/.test(stderr)) resolve();
      });
    });
    const interrupted = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    const tookMs = Date.now() - interrupted;
    const retries = stderr.split('\n').map((line) => RETRY_LINE.exec(line)).filter((m) => m !== null);
    expect(retries.map((m) => [m[2], m[3], m[4]])).toEqual([
      ['HTTP 503', '1', '5'],
      ['HTTP 503', '2', '5'],
      ['HTTP 503', '3', '5'],
      ['HTTP 503', '4', '5'],
    ]);
    // Ended well before the announced wait was over (with room for a busy machine), not after it.
    const wait = waitOf(retries[3]![5]!);
    expect(wait).toBeGreaterThanOrEqual(2000);
    expect(tookMs).toBeLessThan(wait - 800);
    expect(stderr).toMatch(/s15n: cancelled\n$/);
  });
});
