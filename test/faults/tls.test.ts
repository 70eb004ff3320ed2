/**
 * TLS end to end: `s15n serve --tls-cert --tls-key` as a real process with a self-signed
 * certificate made at test time, and the CLI as a user runs it. With `remote add --ca` (or
 * NODE_EXTRA_CA_CERTS) clone, push and reload work over https; without it the clone fails with
 * a clear certificate error; plain http to the https port fails clearly; a bad --ca is refused
 * when the remote is added.
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../client/sync/report.js';
import { openLocalStore } from '../../client/replica/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';
import { type ServeProcess, selfSignedCertificate, startServeProcess } from '../helpers/serve-process.js';

const PASSWORD = 'tls:secret';
let tls: { dir: string; cert: string; key: string };
let masterData: string;
let served: ServeProcess;

beforeAll(async () => {
  tls = selfSignedCertificate();
  masterData = join(tempDir(), 'master');
  const store = openLocalStore(masterData, { create: true });
  const tracker = store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text', required: true }, { name: 'notes', type: 'textarea' }] });
  store.createItems(tracker.id, [{ values: { title: 'first' } }, { values: { title: 'second' } }], null);
  store.close();
  expect(runCli(['user', 'add', 'alice', '--password-stdin'], { data: masterData, input: `${PASSWORD}\n` }).code).toBe(0);
  expect(runCli(['grant', 'alice', 'Bugs', 'edit'], { data: masterData }).code).toBe(0);
  served = await startServeProcess(masterData, ['--tls-cert', tls.cert, '--tls-key', tls.key, '--log-level', 'warn']);
});

afterAll(async () => {
  await served?.stop();
  rmSync(tls.dir, { recursive: true, force: true });
  rmSync(masterData, { recursive: true, force: true });
});

/** A fresh clone data dir. */
function cloneDir(): string {
  const data = join(tempDir(), 'clone');
  expect(runCli(['init'], { data }).code).toBe(0);
  return data;
}

function addRemote(data: string, name: string, url: string, extra: string[] = []): CliResult {
  return runCli(['remote', 'add', name, url, '--user', 'alice', '--password-stdin', ...extra, '--json'], { data, input: `${PASSWORD}\n` });
}

/** A failure a user can read: one `s15n:` message, no stack trace. */
function expectClearFailure(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(/^s15n: /);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('TLS with a self-signed certificate', { timeout: 60_000 }, () => {
  it('serves https; remote add --ca, clone, local edit, push, a master-side change and reload all work', () => {
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const data = cloneDir();
    const added = addRemote(data, 'origin', served.url, ['--ca', tls.cert]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ name: 'origin', url: served.url, ca: tls.cert });
    expect(added.stderr).toBe('');

    const listed = runCli(['remote', 'list', '--json'], { data });
    expect(listed.json()).toEqual([{ name: 'origin', url: served.url, user: 'alice', createdAt: expect.any(String), ca: tls.cert, password: 'file', clones: [] }]);
    expect(listed.stdout).not.toContain(PASSWORD);

    const cloned = runCli(['clone', 'origin', 'Bugs', '--json'], { data });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect((cloned.json() as { report: Report }).report.counts.created).toBe(2);

    const items = runCli(['item', 'list', 'Bugs', '--json'], { data }).json<{ id: number; values: { title: string } }[]>();
    const first = items.find((i) => i.values.title === 'first')!;
    expect(runCli(['item', 'edit', 'Bugs', String(first.id), '--set', 'notes=edited over https'], { data }).code).toBe(0);
    const pushed = runCli(['push', 'Bugs', '--json'], { data });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.json<Report>().counts).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });

    // The master's own CLI changes it while it serves (same data dir, SQLite WAL).
    const onMaster = runCli(['item', 'list', 'Bugs', '--json'], { data: masterData }).json<{ id: number; values: { title: string; notes?: string } }[]>();
    expect(onMaster.find((i) => i.values.title === 'first')!.values.notes).toBe('edited over https');
    const second = onMaster.find((i) => i.values.title === 'second')!;
    expect(runCli(['item', 'edit', 'Bugs', String(second.id), '--set', 'notes=changed on the master'], { data: masterData }).code).toBe(0);

    const reloaded = runCli(['reload', 'Bugs', '--json'], { data });
    expect(reloaded.code, reloaded.stderr).toBe(0);
    expect(reloaded.json<Report>().counts).toMatchObject({ updated: 1, errors: 0, conflicts: 0 });
    const after = runCli(['item', 'list', 'Bugs', '--json'], { data }).json<{ values: { title: string; notes?: string } }[]>();
    expect(after.find((i) => i.values.title === 'second')!.values.notes).toBe('changed on the master');
  });

  it('NODE_EXTRA_CA_CERTS trusts the certificate for a remote added without --ca', () => {
    const data = cloneDir();
    expect(addRemote(data, 'origin', served.url).code).toBe(0);
    const cloned = runCli(['clone', 'origin', 'Bugs', '--json'], { data, env: { NODE_EXTRA_CA_CERTS: tls.cert } });
    expect(cloned.code, cloned.stderr).toBe(0);
  });

  it('without --ca the clone fails with a clear certificate error, exit 1, and records nothing', () => {
    const data = cloneDir();
    expect(addRemote(data, 'origin', served.url).code).toBe(0);
    const cloned = runCli(['clone', 'origin', 'Bugs'], { data });
    expectClearFailure(cloned, 1, /certificate/);
    expect(cloned.stderr).toMatch(/--ca/);
    expect(cloned.stderr).toMatch(/SELF_SIGNED/);
    expect(runCli(['tracker', 'list', '--json'], { data }).json()).toEqual([]);
    // --json: the same error as a document on stdout.
    const json = runCli(['clone', 'origin', 'Bugs', '--json'], { data });
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/certificate.*--ca/) } });
  });

  it('--ca of another certificate does not trust this server', () => {
    const other = selfSignedCertificate();
    try {
      const data = cloneDir();
      expect(addRemote(data, 'origin', served.url, ['--ca', other.cert]).code).toBe(0);
      expectClearFailure(runCli(['clone', 'origin', 'Bugs'], { data }), 1, /TLS certificate is not trusted.*--ca/);
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('plain http to the https port fails clearly (exit 1) and says to use https', () => {
    const data = cloneDir();
    const added = addRemote(data, 'origin', `http://127.0.0.1:${served.port}`);
    expect(added.code).toBe(0);
    const cloned = runCli(['clone', 'origin', 'Bugs'], { data });
    expectClearFailure(cloned, 1, /cannot reach remote origin at http:\/\/127\.0\.0\.1:\d+: ECONNRESET.*https:\/\//);
  });

  it('remote add refuses a missing --ca file, a file that is not a PEM certificate, and --ca on an http URL, naming --ca', () => {
    const data = cloneDir();
    const missing = addRemote(data, 'a', served.url, ['--ca', join(tls.dir, 'nope.pem')]);
    expectClearFailure(missing, 2, /--ca: cannot read .*nope\.pem \(ENOENT\)/);
    expectClearFailure(addRemote(data, 'b', served.url, ['--ca', tls.key]), 2, /--ca: .*key\.pem is not a PEM certificate/);
    const garbled = join(tls.dir, 'garbled.pem');
    writeFileSync(garbled, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    expectClearFailure(addRemote(data, 'c', served.url, ['--ca', garbled]), 2, /--ca: .*garbled\.pem is not a PEM certificate/);
    expectClearFailure(addRemote(data, 'd', 'http://127.0.0.1:9', ['--ca', tls.cert]), 2, /--ca applies to https:\/\/ remotes only/);
    // Nothing was added by a refused command.
    expect(runCli(['remote', 'list', '--json'], { data }).json()).toEqual([]);
  });

  it('a --ca file that disappears later fails the run clearly, naming the remote and --ca', () => {
    const data = cloneDir();
    const copy = join(tempDir(), 'ca.pem');
    copyFileSync(tls.cert, copy);
    expect(addRemote(data, 'origin', served.url, ['--ca', copy]).code).toBe(0);
    rmSync(copy);
    expectClearFailure(runCli(['clone', 'origin', 'Bugs'], { data }), 2, /the --ca file of remote "origin": cannot read .*ENOENT/);
  });
});
