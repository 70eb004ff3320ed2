import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { passwordEnvName, storePassword } from '../../client/sync/credentials.js';
import { reload } from '../../client/sync/reload.js';
import { connect } from '../../client/sync/connect.js';
import { addRemote, checkRemoteUrl, listRemotes, removeRemote } from '../../client/sync/remotes.js';
import { tempStore } from '../helpers/instance.js';
import { FAST, type SyncPair, localOf, masterAdd, masterEdit, startPair, tokenOf } from '../helpers/sync.js';

let pair: SyncPair | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  cleanup?.();
  cleanup = undefined;
});

function store() {
  const s = tempStore();
  cleanup = s.cleanup;
  return s;
}

describe('remotes and credentials', () => {
  it('keeps the password only in credentials.json, mode 0600, never in the database', () => {
    const { store: local, dataDir } = store();
    const secret = 'p@ss:with:colons-and-🔑';
    addRemote(local, { name: 'origin', url: 'https://tracker.example.org/', user: 'ann', password: secret });
    const file = join(dataDir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ remotes: { origin: { password: secret } } });
    local.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const name of readdirSync(dataDir).filter((f) => f.startsWith('s15n.db'))) {
      expect(readFileSync(join(dataDir, name)).includes(Buffer.from(secret))).toBe(false);
    }
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(listRemotes(local, {})).toEqual([{ name: 'origin', url: 'https://tracker.example.org', user: 'ann', createdAt: expect.any(String), password: 'file', clones: [] }]);
    expect(JSON.stringify(listRemotes(local, {}))).not.toContain(secret);
  });

  it('takes the password from S15N_PASSWORD_<NAME> first, and refuses to connect without any password', () => {
    const { store: local } = store();
    addRemote(local, { name: 'my-origin.2', url: 'http://127.0.0.1:1', user: 'ann', password: 'from-file' });
    addRemote(local, { name: 'bare', url: 'http://127.0.0.1:1', user: 'ann' });
    expect(passwordEnvName('my-origin.2')).toBe('S15N_PASSWORD_MY_ORIGIN_2');
    expect(connect(local, 'my-origin.2', {}, {}).endpoint.password).toBe('from-file');
    expect(connect(local, 'my-origin.2', {}, { S15N_PASSWORD_MY_ORIGIN_2: 'from-env' }).endpoint.password).toBe('from-env');
    expect(() => connect(local, 'bare', {}, {})).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/S15N_PASSWORD_BARE/) }));
    expect(connect(local, 'bare', {}, { S15N_PASSWORD_BARE: 'x' }).endpoint.password).toBe('x');
    expect(listRemotes(local, { S15N_PASSWORD_BARE: 'x' }).map((r) => r.password)).toEqual(['env', 'file']);
    expect(() => connect(local, 'missing', {}, {})).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringMatching(/unknown remote "missing"/) }));
  });

  it('tells a credentials file it cannot read from one that is broken, and never advises deleting a readable-later file', () => {
    const { store: local, dataDir } = store();
    addRemote(local, { name: 'origin', url: 'http://127.0.0.1:1', user: 'ann', password: 'secret' });
    const file = join(dataDir, 'credentials.json');
    writeFileSync(file, '{"remotes": {"origin": {"password": "secret"');
    expect(() => connect(local, 'origin', {}, {})).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/not valid JSON; fix or delete it/) }));
    // A read error (here EISDIR; in the field EACCES or EMFILE) is not a parse error.
    rmSync(file);
    mkdirSync(file);
    let thrown: unknown;
    try {
      connect(local, 'origin', {}, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/cannot read .*credentials\.json \(EISDIR\)/) });
    expect((thrown as Error).message).not.toMatch(/delete|secret/);
  });

  it('accepts only http(s) base URLs without credentials, and warns about plain http to another host', () => {
    expect(checkRemoteUrl('https://example.org/s15n/')).toEqual({ url: 'https://example.org/s15n', warning: null });
    expect(checkRemoteUrl('http://127.0.0.1:8080').warning).toBeNull();
    expect(checkRemoteUrl('http://localhost:8080').warning).toBeNull();
    expect(checkRemoteUrl('http://[::1]:8080').warning).toBeNull();
    expect(checkRemoteUrl('http://tracker.example.org').warning).toMatch(/Basic auth is sent in clear/);
    expect(() => checkRemoteUrl('ftp://example.org')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => checkRemoteUrl('not a url')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => checkRemoteUrl('https://ann:secret@example.org')).toThrow(/must not hold credentials/);
    const { store: local } = store();
    expect(addRemote(local, { name: 'lan', url: 'http://10.0.0.5:8080', user: 'ann', password: 'x' }).warning).toMatch(/in clear/);
    expect(() => addRemote(local, { name: 'lan', url: 'https://x.org', user: 'ann', password: 'x' })).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => addRemote(local, { name: 'bad name', url: 'https://x.org', user: 'ann' })).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('refuses to remove a remote that clones still use, naming them; removes an unused one with its password', async () => {
    pair = await startPair({ simple: true });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    expect(() => removeRemote(pair!.clone, 'origin')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/"Tasks"/) }));
    addRemote(pair.clone, { name: 'spare', url: pair.master.url, user: 'root', password: 'spare-secret' });
    removeRemote(pair.clone, 'spare');
    expect(listRemotes(pair.clone, {}).map((r) => r.name)).toEqual(['origin']);
    expect(readFileSync(join(pair.cloneDir, 'credentials.json'), 'utf8')).not.toContain('spare-secret');
  });
});

describe('reload failures of the run itself', () => {
  it('401: wrong credentials end the run with a clear error and change nothing', async () => {
    pair = await startPair({ simple: true });
    const item = masterAdd(pair, { title: 'x' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    masterEdit(pair, item.id, { title: 'y' });
    storePassword(pair.cloneDir, 'origin', 'wrong-password');
    const token = tokenOf(pair.clone, 'Tasks');
    const report = await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(report.outcome).toBe('error');
    expect(report.errors).toEqual([{ id: null, message: expect.stringMatching(/refused the credentials of user "root"/) }]);
    expect(JSON.stringify(report)).not.toContain('wrong-password');
    expect(tokenOf(pair.clone, 'Tasks')).toBe(token);
    expect(localOf(pair, item.id).values.title).toBe('x');
  });

  it('403: a user who lost the right gets a clear error naming the user', async () => {
    pair = await startPair({ simple: true, user: 'vera' });
    masterAdd(pair, { title: 'x' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    pair.master.store.db.prepare('DELETE FROM rights WHERE user_name = ?').run('vera');
    const report = await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(report.outcome).toBe('error');
    expect(report.errors[0]?.message).toMatch(/user "vera" has no right/);
  });

  it('unreachable: a remote that is down gives "cannot reach" with its URL, and the run is logged as an error', async () => {
    pair = await startPair({ simple: true });
    masterAdd(pair, { title: 'x' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    await pair.master.server.close();
    const report = await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(report.outcome).toBe('error');
    expect(report.errors[0]?.message).toMatch(new RegExp(`cannot reach remote origin at ${pair.master.url.replace(/[.]/g, '\\.')}: ECONNREFUSED`));
  });
});
