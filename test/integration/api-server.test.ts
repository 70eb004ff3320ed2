/** The server shell over real HTTP: health, the OpenAPI document, security headers, unknown routes, internal errors without stacks, logs, TLS, listen and close. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { startServer } from '../../server/serve.js';
import { SqliteHub, type Tracker } from '../../server/store/index.js';
import { api, everyTypeTracker, seedUsers, startInstance, tempDir, tempStore, type TestInstance } from '../helpers/instance.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const STACK = /\bat .+:\d+:\d+|node_modules|\.ts:\d+/;

let inst: TestInstance;
let bugs: Tracker;
const logLines: string[] = [];

beforeAll(async () => {
  // A logger that writes into this test, to see what the server logs and what it keeps out.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  inst = await startInstance({ logger: pino({ level: 'debug' }, sink) });
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
});

afterAll(async () => {
  await inst.close();
});

describe('health', () => {
  it('answers {status:"ok", version} without credentials', async () => {
    const res = await api(inst.url, '/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', version: VERSION });
  });

  it('ignores credentials, even wrong ones', async () => {
    expect((await api(inst.url, '/health', { user: 'root', password: 'wrong' })).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  const ROUTES: Record<string, string> = {
    '/api/v1/health': 'get',
    '/api/v1/openapi.json': 'get',
    '/api/v1/trackers': 'get',
    '/api/v1/trackers/{id}': 'get',
    '/api/v1/trackers/{id}/changes': 'get',
    '/api/v1/trackers/{id}/digest': 'get',
    '/api/v1/trackers/{id}/items/{itemId}': 'get',
    '/api/v1/trackers/{id}/push': 'post',
    '/api/v1/users': 'get',
  };

  it('is served to any authenticated user (401 without credentials) as OpenAPI 3 and lists every route of DESIGN §5 with its method', async () => {
    expect((await api(inst.url, '/openapi.json')).status).toBe(401);
    const res = await api(inst.url, '/openapi.json', { user: 'root' });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toMatch(/^3\./);
    expect(res.json.info.version).toBe(VERSION);
    expect(Object.keys(res.json.paths).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [path, method] of Object.entries(ROUTES)) expect(Object.keys(res.json.paths[path]), path).toEqual([method]);
  });

  it('names the shared schemas as components and declares Basic auth', async () => {
    const doc = (await api(inst.url, '/openapi.json', { user: 'root' })).json;
    for (const id of ['Error', 'TrackerList', 'Tracker', 'Item', 'Change', 'ChangesPage', 'PushRequest', 'PushResponse', 'PushResult', 'UserList', 'Health']) {
      expect(Object.keys(doc.components.schemas), id).toContain(id);
    }
    expect(doc.components.securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(doc.paths['/api/v1/trackers/{id}/push'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/PushRequest');
    expect(Object.keys(doc.paths['/api/v1/trackers/{id}/changes'].get.responses[200].content)).toContain('application/x-ndjson');
  });
});

describe('headers', () => {
  it('sends helmet security headers, no x-powered-by, and no-store on every API answer (200, 401, 404)', async () => {
    const answers = [await api(inst.url, '/health'), await api(inst.url, '/trackers'), await api(inst.url, '/trackers/nope', { user: 'root' })];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404]);
    for (const res of answers) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });
});

describe('unknown routes', () => {
  it('answers 404 JSON outside the API prefix, without asking for credentials', async () => {
    for (const path of ['//', '//index.html', '//api/v2/trackers', '//api']) {
      const res = await api(inst.url, path);
      expect(res.status, path).toBe(404);
      expect(res.json.error.code, path).toBe('not_found');
    }
  });

  it('asks for credentials first under the API prefix, then answers 404 JSON', async () => {
    expect((await api(inst.url, '/nothing-here')).status).toBe(401);
    const res = await api(inst.url, '/nothing-here', { user: 'root' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: { code: 'not_found', message: 'no route GET /api/v1/nothing-here' } });
  });

  it('answers 404 JSON for a known path with a method it does not take', async () => {
    for (const [method, path] of [
      ['DELETE', `/trackers/${bugs.id}`],
      ['PUT', '/trackers'],
      ['GET', `/trackers/${bugs.id}/push`],
      ['POST', `/trackers/${bugs.id}/changes`],
      ['POST', '/health'],
    ] as const) {
      const res = await api(inst.url, path, { method, user: 'root', raw: method === 'GET' ? undefined : '{}' });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
  });

  it('keeps the echo of a hostile path short', async () => {
    const res = await api(inst.url, `/${'x'.repeat(10_000)}`, { user: 'root' });
    expect(res.status).toBe(404);
    expect(res.text.length).toBeLessThan(500);
  });

  /** Sends raw bytes and reads the whole answer (the server closes after a refused head). */
  function raw(bytes: string): Promise<string> {
    const { port } = new URL(inst.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  }

  it('answers a head over 16 KiB with 431 and a malformed request with 400, both in the JSON error shape', async () => {
    const huge = await raw(`GET /api/v1/trackers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'too_large', message: expect.stringMatching(/16 KiB/) } });
    const broken = await raw('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(broken).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(broken.slice(broken.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'bad_input' } });
    // No body where none may be: an answer to HEAD, or to a request line that names no method.
    for (const head of [`HEAD /api/v1/trackers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'NOT A REQUEST\r\n\r\n']) {
      const answer = await raw(head);
      expect(answer).toMatch(/^HTTP\/1\.1 4(31|00) [^]*Content-Length: 0\r\n[^]*\r\n\r\n$/);
    }
    // The server goes on serving.
    expect((await api(inst.url, '/health')).status).toBe(200);
  });
});

describe('internal errors', () => {
  it('answer 500 {code:"internal", message:"internal error"}: no message, no stack; the stack goes to the log', async () => {
    const original = inst.hub.listTrackers;
    inst.hub.listTrackers = () => {
      throw new Error('secret detail of /var/lib/s15n');
    };
    try {
      const res = await api(inst.url, '/trackers', { user: 'root' });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(res.text).not.toContain('secret detail');
      expect(res.text).not.toMatch(STACK);
    } finally {
      inst.hub.listTrackers = original;
    }
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged.err.message).toBe('secret detail of /var/lib/s15n');
    expect(logged.err.stack).toMatch(STACK);
  });

  it('never logs credentials', () => {
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(all).not.toContain('root:pass:word');
  });
});

describe('createLogger', () => {
  it('writes JSON lines to stderr only, with authorization headers, cookies and passwords redacted', () => {
    const dir = tempDir();
    const script = join(dir, 'log.ts');
    const logger = pathToFileURL(join(ROOT, 'server/logger.ts')).href;
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(logger)};
const log = createLogger({ level: 'info' });
log.info({ req: { headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=secret' } }, password: 'secret', user: { password: 'secret' } }, 'hello');
log.debug('not at info');
log.flush();\n`,
    );
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [script], { encoding: 'utf8', cwd: ROOT });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('{'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ msg: 'hello', password: '[redacted]', user: { password: '[redacted]' } });
    expect(line.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(run.stderr).not.toContain('secret');
  });
});

describe('startServer and createApp', () => {
  it('resolves once listening on port 0 with the real port in the url, and close() frees it even with an idle keep-alive connection', async () => {
    const { store, cleanup } = tempStore();
    try {
      const running = await startServer({ store: new SqliteHub(store), port: 0 });
      expect(running.port).toBeGreaterThan(0);
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      const agent = new Agent({ keepAlive: true });
      const status = await new Promise<number>((resolve, reject) => {
        request(`${running.url}/api/v1/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
      const started = Date.now();
      await running.close();
      expect(Date.now() - started).toBeLessThan(1500);
      agent.destroy();
      await expect(api(running.url, '/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      cleanup();
    }
  });

  it('rejects when the port is taken', async () => {
    const { store, cleanup } = tempStore();
    try {
      await expect(startServer({ store: new SqliteHub(store), port: inst.server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      cleanup();
    }
  });

  it('refuses unreadable TLS files with a clear error', async () => {
    const { store, cleanup } = tempStore();
    try {
      await expect(startServer({ store: new SqliteHub(store), port: 0, tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } })).rejects.toMatchObject({
        code: 'bad_input',
        message: expect.stringContaining('/nonexistent/cert.pem'),
      });
    } finally {
      cleanup();
    }
  });

  it('createApp is a plain request handler: no listen, no singletons (two apps on one store serve independently)', async () => {
    const servers = [createServer(createApp({ store: inst.hub })), createServer(createApp({ store: inst.hub, loginThrottle: { max: 1, windowMs: 60_000 } }))];
    try {
      const urls = await Promise.all(
        servers.map((s) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)))),
      );
      // Locking a key on the second app leaves the first app's throttle alone.
      await api(urls[1]!, '/trackers', { user: 'vera', password: 'bad' });
      expect((await api(urls[1]!, '/trackers', { user: 'vera' })).status).toBe(429);
      expect((await api(urls[0]!, '/trackers', { user: 'vera' })).status).toBe(200);
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});

describe('TLS', () => {
  it('serves https with a certificate and key made by openssl', async () => {
    const dir = tempDir();
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const secure = await startInstance({ tls: { cert, key } });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      await secure.hub.addUser('tls', 'p:w');
      const health = await api(secure.url, '/health', { ca: readFileSync(cert) });
      expect(health.json).toMatchObject({ status: 'ok' });
      const trackers = await api(secure.url, '/trackers', { ca: readFileSync(cert), user: 'tls', password: 'p:w' });
      expect(trackers.status).toBe(200);
      expect(trackers.json).toEqual({ trackers: [] });
      // Without the CA the certificate is refused: TLS really is on.
      await expect(api(secure.url, '/health')).rejects.toThrow(/self.signed|certificate/i);
    } finally {
      await secure.close();
    }
  });
});
