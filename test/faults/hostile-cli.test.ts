/**
 * Generated hostile input for the built CLI (DESIGN §6 exit codes, §8 "bad input gets a clear
 * error and changes nothing"): bad --set values and --values JSON, bad item ids, corrupt and
 * hostile import files, bad numbers and flags, bad remote URLs and names. Every run: exit 1 or 2,
 * a `s15n: ` message on stderr without stack or internals, `--json` answered with one JSON error,
 * and the data dir exactly as it was. Each spawn costs ~0.3 s: a few runs per group here,
 * ten times more with S15N_LONG=1.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../server/store/index.js';
import { openLocalStore } from '../../client/replica/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { createEveryTypeTracker, tempDir } from '../helpers/instance.js';
import { deepValue, fingerprintFile, hostileJson, leakIn, mutate, params, runs, wildString } from './arbitraries.js';

const TIMEOUT = 240_000;

/** One invocation: its arguments, stdin, an import file to write first, and what the message should name. */
interface Case {
  args: string[];
  input?: string;
  file?: string | Buffer;
  /** The message on stderr names this (the option or field at fault), when it is known. */
  names?: RegExp;
}

let data: string;
let files: string;
let itemIds: number[];
let spawns = 0;

beforeAll(async () => {
  data = join(tempDir('s15n-hostile-cli-'), 'data');
  files = tempDir('s15n-hostile-files-');
  const store = openLocalStore(data, { create: true });
  const bugs = createEveryTypeTracker(store);
  await store.addUser('root', 'pw', { admin: true });
  store.grant('root', bugs.id, 'admin');
  itemIds = store.createItems(bugs.id, [{ values: { title: 'one', priority: 'low' } }, { values: { title: 'two', done: true } }], null).map((i) => i.id);
  store.close();
});

afterAll(() => {
  console.log(`hostile-cli: ${spawns} CLI runs`);
});

/** Everything in the data dir: every table's rows, and the bytes of every other file. */
function fingerprintDir(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name === DB_FILE) hash.update(`db:${fingerprintFile(join(dir, name))}\n`);
    else if (!name.startsWith(`${DB_FILE}-`)) hash.update(`${name}:${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

/** Arguments cannot hold NUL; everything else goes through as the shell would pass it. */
const arg = (s: string) => s.replaceAll('\u0000', '');
/** Linux refuses an argument of 128 KiB or more (with its NUL) before any program runs: E2BIG. */
const MAX_ARG_BYTES = 128 * 1024 - 1;

let fileCounter = 0;

/** Runs one case and checks the refusal: exit 1 or 2, a clear message, nothing changed. */
function refused(c: Case, json: boolean): CliResult {
  const args = c.args.map((a) => (a === '@FILE' ? writeCaseFile(c.file ?? '') : arg(a)));
  // In front, so an argument `--` never turns it into a plain argument.
  const full = json ? ['--json', ...args] : args;
  // Such a case never reaches s15n (a shell says "Argument list too long"): not one to judge it by.
  fc.pre(full.every((a) => Buffer.byteLength(a) < MAX_ARG_BYTES));
  const before = fingerprintDir(data);
  const res = runCli(full, { data, ...(c.input !== undefined ? { input: c.input } : {}) });
  spawns++;
  const what = `s15n ${full.map((a) => JSON.stringify(a.length > 200 ? `${a.slice(0, 200)}…(${a.length})` : a)).join(' ')}\n--- stderr:\n${res.stderr.slice(0, 1500)}\n--- stdout:\n${res.stdout.slice(0, 500)}`;
  expect([1, 2], what).toContain(res.code);
  expect(res.stderr, what).toMatch(/^s15n: \S/m);
  expect(leakIn(res.stderr), what).toBeUndefined();
  if (c.names) expect(res.stderr, what).toMatch(c.names);
  if (json) {
    const doc = res.json<{ error: { code: string; message: string } }>();
    expect(doc.error, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  } else {
    expect(res.stdout, what).toBe('');
  }
  expect(fingerprintDir(data), `the data dir changed: ${what}`).toBe(before);
  return res;
}

function writeCaseFile(content: string | Buffer): string {
  const path = join(files, `import-${fileCounter++}.json`);
  writeFileSync(path, content);
  return path;
}

const cases = (arb: fc.Arbitrary<Case>) => fc.tuple(arb, fc.boolean());
const check = async (arb: fc.Arbitrary<Case>, n: number) =>
  fc.assert(
    fc.property(cases(arb), ([c, json]) => {
      refused(c, json);
    }),
    params(runs(n)),
  );

// --- --set and --values ---

/** Text that is not FIELD=VALUE for any field of the tracker. */
const FIELD_NAMES = ['title', 'body', 'estimate', 'done', 'priority', 'platforms', 'due', 'seen', 'contact', 'link', 'tags', 'where', 'owner', 'number', 'wiki', 'person', 'files'];
const text = wildString.map(arg);

const badSet: fc.Arbitrary<{ set: string; names: RegExp }> = fc.oneof(
  text.filter((s) => !s.includes('=')).map((s) => ({ set: s, names: /FIELD=VALUE/ })),
  fc.tuple(text.filter((s) => s.length > 0 && !s.includes('=') && !FIELD_NAMES.includes(s)), text).map(([name, v]) => ({ set: `${name}=${v}`, names: /unknown field/ })),
  text.filter((s) => s.trim() !== '' && !Number.isFinite(Number(s.trim()))).map((s) => ({ set: `estimate=${s}`, names: /estimate/ })),
  text.filter((s) => s !== '' && !['true', 'yes', 'y', '1', 'on', 'false', 'no', 'n', '0', 'off'].includes(s.trim().toLowerCase())).map((s) => ({ set: `done=${s}`, names: /done/ })),
  text.filter((s) => s !== '' && !['low', 'medium', 'high'].includes(s)).map((s) => ({ set: `priority=${s}`, names: /priority/ })),
  fc.constantFrom('[', '[1,2]', '["amiga"]', '{"a":1}', '[null]', 'amiga,linux').map((s) => ({ set: `platforms=${s}`, names: /platforms/ })),
  fc.constantFrom('2024-02-30', 'yesterday', '2024-1-1', '9999-99-99').map((s) => ({ set: `due=${s}`, names: /due/ })),
  fc.constantFrom('not-an-email', 'a@b', '@@').map((s) => ({ set: `contact=${s}`, names: /contact/ })),
  fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', 'notaurl').map((s) => ({ set: `link=${s}`, names: /link/ })),
  fc.constantFrom('91,0', '0,181', 'north').map((s) => ({ set: `where=${s}`, names: /where/ })),
  fc.constantFrom('abc', '-1', '1.5', '99999999999999999999').map((s) => ({ set: `person=${s}`, names: /person/ })),
  fc.constantFrom('1', '42').map((s) => ({ set: `number=${s}`, names: /number/ })),
  fc.constant({ set: 'title=', names: /title/ }),
  fc.integer({ min: 65_536, max: 100_000 }).map((n) => ({ set: `title=${'x'.repeat(n)}`, names: /title/ })),
);

/** --values JSON that cannot make a valid item: no title (a required field) or not JSON at all. */
const badValues: fc.Arbitrary<string> = fc.oneof(
  hostileJson.map((v) => JSON.stringify(v) ?? 'undefined').filter((s) => !s.includes('"title"') && s.length < 120_000),
  fc.constantFrom('{', '{"title":', "{'title':'x'}", '', 'undefined', '{"title":"x"', '\ufeff{"title":"x"}'),
  fc.constantFrom('{"title": 1}', '{"title": ["x"]}', '{"title": null}', '[{"title": "ok"}, {"title": 2}]', '{"title": "x", "number": 3}', '{"title": "x", "ghost": 1}', '{"values": {"title": "x"}, "status": "archived"}'),
  deepValue.map((v) => JSON.stringify(v)).filter((s) => s.length < 120_000),
);

/** Item ids that name no item, or are not ids. */
const badId: fc.Arbitrary<string> = fc.oneof(
  // Not '--': last on a line of good ids it only ends the options, and the command is valid.
  fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', 'abc', '', ' 1', '99999', '99999999999999999999', 'NaN', '-'),
  text.filter((s) => !/^\d+$/.test(s) && s !== '--'),
);

describe('item add, edit, delete', () => {
  it(
    'bad --set, --values, --status and ids: exit 1 or 2, a message naming the culprit, nothing written',
    async () => {
      const itemCase: fc.Arbitrary<Case> = fc.oneof(
        badSet.map(({ set, names }) => ({ args: ['item', 'add', 'Bugs', '--set', 'title=ok', '--set', set], names })),
        badValues.map((v) => ({ args: ['item', 'add', 'Bugs', `--values=${arg(v)}`] })),
        fc.tuple(fc.constantFrom(...itemIds.map(String)), badSet).map(([id, { set, names }]) => ({ args: ['item', 'edit', 'Bugs', id, '--set', set], names })),
        fc.tuple(fc.subarray(itemIds.map(String)), badId).map(([ids, bad]) => ({ args: ['item', 'edit', 'Bugs', ...ids, bad, '--set', 'title=changed'] })),
        fc.tuple(fc.subarray(itemIds.map(String)), badId).map(([ids, bad]) => ({ args: ['item', 'delete', 'Bugs', ...ids, bad] })),
        text.filter((s) => !['open', 'pending', 'closed'].includes(s)).map((s) => ({ args: ['item', 'add', 'Bugs', '--set', 'title=ok', `--status=${s}`], names: /status/ })),
        fc.tuple(fc.constantFrom('Nope', '999', '', '..', '-1', "Bugs'--"), fc.constantFrom('add', 'edit', 'delete', 'list', 'show')).map(([ref, cmd]) => ({
          args: ['item', cmd, ref, ...(cmd === 'edit' || cmd === 'delete' || cmd === 'show' ? [String(itemIds[0])] : []), ...(cmd === 'add' || cmd === 'edit' ? ['--set', 'title=x'] : [])],
        })),
      );
      await check(itemCase, 8);
    },
    TIMEOUT,
  );
});

// --- tracker import ---

const validImport = {
  name: 'Imported',
  description: 'a tracker from a file',
  fields: [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'prio', type: 'dropdown', options: ['low', 'high'] },
  ],
  items: [{ status: 'open', values: { title: 'a', prio: 'low' } }],
};
const validField = validImport.fields[1]!;
const validItem = validImport.items[0]!;

/** Import files that must be refused: broken JSON, wrong shapes and types, bad fields and items. */
const badImport: fc.Arbitrary<{ file: string | Buffer; names?: RegExp }> = fc.oneof(
  // Broken JSON: truncated, binary, empty, BOM, trailing garbage.
  fc.integer({ min: 0, max: JSON.stringify(validImport).length - 1 }).map((n) => ({ file: JSON.stringify(validImport).slice(0, n) })),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ file: Buffer.from(b) })),
  fc.constantFrom('', ' ', 'null', '[]', '"Imported"', '42', 'true', `${JSON.stringify(validImport)} trailing`).map((file) => ({ file })),
  // The whole document of any other JSON type.
  hostileJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => ({ file: JSON.stringify(v) ?? '' })),
  // One key of the document of the wrong type, or a required one missing (unknown keys are ignored, with a warning).
  mutate(validImport, { unknownKeys: false })
    // (without description or items the file is still valid)
    .filter((doc) => 'description' in doc && 'items' in doc)
    .map((doc) => ({ file: JSON.stringify(doc) })),
  // One field or item of the wrong shape.
  mutate(validField, { unknownKeys: false }).map((f) => ({ file: JSON.stringify({ ...validImport, fields: [validImport.fields[0], f] }) })),
  // (status is optional: the template leaves it out, so that removing a key always breaks the item.)
  mutate({ values: validItem.values }, { unknownKeys: false }).map((i) => ({ file: JSON.stringify({ ...validImport, items: [validItem, i] }) })),
  fc.constantFrom(
    { ...validImport, name: '' },
    { ...validImport, name: '123' },
    { ...validImport, name: 'Bugs' },
    { ...validImport, name: 'x'.repeat(10_000) },
    { ...validImport, fields: [validImport.fields[0], { name: 'title', type: 'text' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'status', type: 'text' }] },
    { ...validImport, fields: [validImport.fields[0], { name: '__proto__', type: 'text' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'n'.repeat(100_000), type: 'text' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'kind', type: 'enum' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'kind', type: 'dropdown' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'kind', type: 'dropdown', options: ['a', 'a'] }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'kind', type: 'dropdown', options: [1, 2] }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'link', type: 'itemlink', linkedTracker: 999 }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'n', type: 'autoincrement', required: true }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'n', type: 'number', required: 'yes' }] },
    { ...validImport, fields: [validImport.fields[0], { name: 'n', type: 'number', label: 7 }] },
    { ...validImport, items: [{ values: { title: 'a' } }, { values: { prio: 'urgent', title: 'b' } }] },
    { ...validImport, items: [{ values: { title: 'a' } }, { status: 'archived', values: { title: 'b' } }] },
    { ...validImport, items: [{ title: 'a' }] },
  ).map((doc) => ({ file: JSON.stringify(doc) })),
  // Huge: many good items and one bad one at the end; deep nesting inside a value.
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => ({
    file: JSON.stringify({ ...validImport, items: [...Array.from({ length: n }, (_, i) => ({ values: { title: `item ${i}` } })), { values: { title: 5 } }] }),
  })),
  deepValue.map((v) => ({ file: JSON.stringify({ ...validImport, items: [{ values: { title: 'a', prio: v } }] }) })),
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => ({ file: `{"name":"Deep","fields":${'['.repeat(n)}${']'.repeat(n)}}` })),
  // Duplicated keys: the last one counts, and it is wrong.
  fc.constant({ file: '{"name":"Imported","fields":[{"name":"title","type":"text","type":"nope"}]}' }),
);

describe('tracker import', () => {
  it(
    'corrupt, wrongly shaped and hostile files: exit 1 or 2 with a clear message, no tracker created',
    async () => {
      const importCase: fc.Arbitrary<Case> = fc.oneof(
        { weight: 6, arbitrary: badImport.map(({ file, names }) => ({ args: ['tracker', 'import', '@FILE'], file, ...(names ? { names } : {}) })) },
        { weight: 1, arbitrary: badImport.map(({ file }) => ({ args: ['tracker', 'import', '-'], input: Buffer.isBuffer(file) ? file.toString('latin1') : file })) },
        { weight: 1, arbitrary: fc.constantFrom(join(files, 'missing.json'), files, '/dev/null', '', '--', `${files}/../../etc/shadow`).map((path) => ({ args: ['tracker', 'import', path] })) },
      );
      await check(importCase, 8);
    },
    TIMEOUT,
  );

  it(
    'tracker create with bad --field specs and --fields JSON: refused, nothing created',
    async () => {
      const createCase: fc.Arbitrary<Case> = fc.oneof(
        fc
          .oneof(text.filter((s) => !s.includes(':')), fc.constantFrom('title', ':text', '!:text', 'a:', 'a:enum', 'a:dropdown', 'a:dropdown:,', 'status:text', 'a b:text', 'p:itemlink:Nope', 'n!:autoincrement'))
          .map((spec) => ({ args: ['tracker', 'create', 'Fresh', '--field', spec], names: /field/i })),
        badValues.map((v) => ({ args: ['tracker', 'create', 'Fresh', `--fields=${arg(v)}`] })),
        fc.constantFrom('', '123', 'Bugs', ' ').map((name) => ({ args: ['tracker', 'create', name, '--field', 'title:text'] })),
      );
      await check(createCase, 3);
    },
    TIMEOUT,
  );
});

// --- numbers, flags, remotes, users ---

const badNumber: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('0', '-1', '1.5', '1e3', 'abc', '', ' ', '0x10', '99999999999999999999', 'Infinity', 'NaN'), text.filter((s) => !/^\d+$/.test(s)));

describe('numbers and flags', () => {
  it(
    'bad --batch-size, --limit, --port, unknown options, missing arguments: exit 2 naming them',
    async () => {
      const flagCase: fc.Arbitrary<Case> = fc.oneof(
        fc.tuple(fc.constantFrom('push', 'reload'), badNumber).map(([cmd, n]) => ({ args: [cmd, 'Bugs', `--batch-size=${n}`], names: /batch-size/ })),
        badNumber.map((n) => ({ args: ['clone', 'origin', 'Bugs', `--batch-size=${n}`], names: /batch-size/ })),
        badNumber.map((n) => ({ args: ['item', 'list', 'Bugs', `--limit=${n}`], names: /limit/ })),
        fc
          .oneof(badNumber, fc.constantFrom('65536', '99999', '123456'))
          .filter((p) => !(/^\d{1,5}$/.test(p) && Number(p) <= 65535))
          .map((p) => ({ args: ['serve', `--port=${p}`], names: /port/ })),
        text.map((s) => ({ args: ['serve', '--port=0', `--log-level=${s}x`], names: /log-level/ })),
        text.map((s) => ({ args: ['serve', '--port=0', `--body-limit=${s}!`], names: /body-limit/ })),
        fc.constantFrom('--tls-cert=/nope', '--tls-key=/nope').map((o) => ({ args: ['serve', '--port=0', o], names: /tls/ })),
        fc.tuple(fc.constantFrom(['item', 'list', 'Bugs'], ['tracker', 'list'], ['status', 'Bugs'], ['log', 'Bugs']), text.filter((s) => /^[\w-]+$/.test(s) && s !== 'json' && s !== 'data')).map(([cmd, opt]) => ({ args: [...cmd, `--${opt}x`] })),
        fc.constantFrom(['item', 'add'], ['item', 'edit', 'Bugs'], ['grant', 'root'], ['remote', 'add', 'x'], ['clone'], ['resolve', 'Bugs', '1'], ['frobnicate'], ['item', 'frob', 'Bugs'], ['tracker']).map((args) => ({ args: [...args] })),
        fc.tuple(badId, fc.constantFrom('local', 'nope')).map(([id, take]) => ({ args: ['resolve', 'Bugs', id, `--take=${take}`] })),
      );
      await check(flagCase, 5);
    },
    TIMEOUT,
  );

  it(
    'remote add with bad URLs, names and users, user add and grant with bad input: refused, nothing stored',
    async () => {
      const okUrl = (s: string) => {
        if (!URL.canParse(s)) return false;
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
      };
      const url = fc.oneof(
        text,
        fc.constantFrom('ftp://example.org', 'file:///etc/passwd', 'http://u:p@example.org', 'http://example.org/?a=1', 'http://example.org/#x', 'javascript:alert(1)', 'example.org', '//example.org', 'http://', 'http://[::1', 'https://exa mple.org'),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
      ).filter((u) => !okUrl(u));
      const otherCase: fc.Arbitrary<Case> = fc.oneof(
        url.map((u) => ({ args: ['remote', 'add', 'origin', u, '--user', 'root', '--password-stdin'], input: 'pw\n', names: /url/i })),
        text.filter((n) => !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(n)).map((n) => ({ args: ['remote', 'add', n, 'http://127.0.0.1:1', '--user', 'root', '--password-stdin'], input: 'pw\n' })),
        fc.constantFrom('', 'a:b', 'a\nb').map((u) => ({ args: ['remote', 'add', 'origin', 'http://127.0.0.1:1', '--user', u, '--password-stdin'], input: 'pw\n' })),
        fc.constantFrom('', '\n', '\r\n').map((input) => ({ args: ['remote', 'add', 'origin', 'http://127.0.0.1:1', '--user', 'root', '--password-stdin'], input })),
        fc.constantFrom('', 'root', 'a:b', 'a\nb', 'x'.repeat(5_000)).map((n) => ({ args: ['user', 'add', n, '--password-stdin'], input: 'pw\n' })),
        fc.constantFrom('', '\n').map((input) => ({ args: ['user', 'add', 'newbie', '--password-stdin'], input })),
        fc.tuple(text.filter((r) => !['view', 'edit', 'admin'].includes(r)), fc.constantFrom('root', 'ghost')).map(([right, u]) => ({ args: ['grant', u, 'Bugs', right], names: /right/ })),
        fc.constantFrom(['grant', 'root', 'Nope', 'view'], ['grant', 'root', '999', 'view'], ['remote', 'remove', 'nope'], ['clone', 'nope', 'Bugs'], ['push', 'Bugs'], ['reload', 'Bugs'], ['status', 'Nope']).map((args) => ({ args: [...args] })),
      );
      await check(otherCase, 4);
    },
    TIMEOUT,
  );

  it('a data dir that is not an instance: exit 1 with "s15n init", nothing created', () => {
    const empty = join(tempDir('s15n-hostile-empty-'), 'nothing');
    mkdirSync(empty);
    for (const args of [['item', 'list', 'Bugs'], ['tracker', 'import', '-']]) {
      const res = runCli(args, { data: empty, input: JSON.stringify(validImport) });
      spawns++;
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/s15n init/);
      expect(readdirSync(empty)).toEqual([]);
    }
  });
});
