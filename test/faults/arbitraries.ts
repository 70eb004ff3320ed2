/**
 * fast-check generators of hostile input for the API and the CLI (wrong types, huge strings,
 * deep nesting, unknown keys, bad tokens and keys, path tricks), and the checks every refusal
 * must pass: a clear JSON error or message, no stack trace or internals, nothing changed.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

export const LONG = Boolean(process.env.S15N_LONG);

/** Runs per property: a short run in `npm test`, many more with S15N_LONG=1. */
export function runs(short: number, long = short * 10): number {
  return LONG ? long : short;
}

/** fast-check settings: a seed to replay with S15N_SEED, and the run count. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, ...(process.env.S15N_SEED ? { seed: Number(process.env.S15N_SEED) } : {}), endOnFailure: true };
}

// --- what an answer must never show ---

/** Stack frames, source paths, internals of the runtime or of SQLite. */
export const LEAKS: [string, RegExp][] = [
  ['a stack frame', /^\s+at .+/m],
  ['a stack frame', /\bat [^\s]+ \(.+:\d+:\d+\)/],
  ['a source path', /\/work\/|node_modules|[\w-]+\.[jt]s:\d+/],
  ['an uncaught error name', /\b(TypeError|RangeError|ReferenceError|SyntaxError|SqliteError)\b/],
  ['SQL', /\bSQLITE_\w+|\bsqlite3?\b|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\w+\s+SET\b/i],
];

/** The first leak found in a text, or undefined. */
export function leakIn(text: string): string | undefined {
  for (const [what, pattern] of LEAKS) {
    const m = pattern.exec(text);
    if (m) return `${what}: ${JSON.stringify(m[0].slice(0, 120))}`;
  }
  return undefined;
}

// --- the store's fingerprint ---

/** A hash of every row of every table (schema included), so any write at all is seen. */
export function fingerprintDb(db: Database.Database): string {
  const hash = createHash('sha256');
  const tables = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  for (const { name, sql } of tables) {
    hash.update(`${name}\u0000${sql}\u0000`);
    // A WITHOUT ROWID table (the key index) has no rowid; a scan of it goes in primary key order.
    const order = /WITHOUT ROWID/i.test(sql) ? '' : ' ORDER BY rowid';
    for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"${order}`).raw().iterate()) {
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v)));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

/** The fingerprint of the SQLite file of a (closed) data dir, read without writing anything. */
export function fingerprintFile(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fingerprintDb(db);
  } finally {
    db.close();
  }
}

// --- strings ---

const TRICKY = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  "' OR '1'='1",
  '"; DROP TABLE items; --',
  '../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%s%s%s%n',
  '${process.exit()}',
  '<script>alert(1)</script>',
  '\u202e\u0301\ufeff',
  '\ud800',
  '😀🏳️‍🌈',
  'a\nb\r\nc',
  '\t',
];

/** Strings users do not type: tricky constants, any unicode, lone surrogates, control characters. */
export const wildString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\ud800', '\udfff', '\u2028'), maxLength: 8 }) },
);

/** A string far over every limit (text fields allow 64 KiB, names 200 characters). */
export function hugeString(min = 70_000, max = 300_000): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '%', '"'), fc.integer({ min, max })).map(([c, n]) => c.repeat(Math.ceil(n / c.length)));
}

/** A huge string inside a JSON value: sent in full (toJSON), shown short in counterexamples. */
export class Huge {
  constructor(
    readonly char: string,
    readonly count: number,
  ) {}
  toJSON(): string {
    return this.char.repeat(this.count);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.char)} × ${this.count}`;
  }
}

export const hugeJson: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '%', '"'), fc.integer({ min: 70_000, max: 300_000 }))
  .map(([c, n]) => new Huge(c, Math.ceil(n / c.length)));

/** Strings for headers (credentials): long, but under node's 16 KiB limit on a request's head. */
export const anyString: fc.Arbitrary<string> = fc.oneof({ weight: 6, arbitrary: wildString }, { weight: 1, arbitrary: hugeString(1_000, 4_000) });

/** Object keys: mostly odd, sometimes huge (an answer that echoes them must cut them short). */
export const hostileKey: fc.Arbitrary<string> = fc.oneof({ weight: 8, arbitrary: wildString }, { weight: 1, arbitrary: hugeString(1_000, 70_000) });

/** An object with thousands of keys, shown short in counterexamples. */
export class ManyKeys {
  constructor(readonly count: number) {}
  toJSON(): Record<string, number> {
    return Object.fromEntries(Array.from({ length: this.count }, (_, i) => [`k${i}`, i]));
  }
  [fc.toStringMethod](): string {
    return `{${this.count} keys}`;
  }
}

// --- JSON values ---

/** Arrays or objects nested `depth` deep, with a leaf at the bottom. */
export function nested(depth: number, kind: 'array' | 'object' | 'mixed', leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = kind === 'array' || (kind === 'mixed' && i % 2 === 0) ? [value] : { a: value };
  return value;
}

/**
 * A deeply nested value that sends as JSON (toJSON) but shows itself short: fast-check would
 * overflow its stack printing a counterexample thousands of levels deep.
 */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object' | 'mixed',
  ) {}
  toJSON(): unknown {
    return nested(this.depth, this.kind);
  }
  [fc.toStringMethod](): string {
    return `nested(${this.depth}, ${this.kind})`;
  }
}

export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 20, max: 3_000 }), fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>)
  .map(([depth, kind]) => new Deep(depth, kind));

/** Any JSON value, weighted to the strange: tricky and huge strings, big numbers, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: wildString },
  { weight: 2, arbitrary: hugeJson },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, true, false, null, [], {}) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => new ManyKeys(n)) },
  { weight: 1, arbitrary: fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 5 }) },
);

/** A value of another JSON type than `sample`'s. */
export function wrongType(sample: unknown): fc.Arbitrary<unknown> {
  return hostileJson.filter((v) => jsonType(v) !== jsonType(sample));
}

function jsonType(v: unknown): string {
  if (v instanceof Huge) return 'string';
  if (v instanceof Deep) return v.kind === 'object' ? 'object' : 'array';
  if (v instanceof ManyKeys) return 'object';
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * One change to a valid object: a known key gets a wrong type or goes, or (with `unknownKeys`,
 * for shapes that refuse them) an unknown key arrives.
 */
export function mutate(template: Record<string, unknown>, { unknownKeys = true } = {}): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(template);
  const broken = [
    fc.tuple(fc.constantFrom(...keys), fc.constant(null)).chain(([key]) => wrongType(template[key]).map((v) => ({ ...template, [key]: v }))),
    fc.constantFrom(...keys).map((key) => {
      const copy = { ...template };
      delete copy[key];
      return copy;
    }),
  ];
  if (unknownKeys) broken.push(fc.tuple(hostileKey.filter((k) => !keys.includes(k)), hostileJson).map(([key, v]) => ({ ...template, [key]: v })));
  return fc.oneof(...broken);
}

/** Idempotency keys the contract refuses (1 to 128 printable ASCII characters without spaces). */
export const badIdempotencyKey: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', ' ', 'has space', 'tab\there', 'é', '😀', '\u0000', 'k'.repeat(129), 'k'.repeat(100_000)),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `${s} `),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !/^[\x21-\x7e]{1,128}$/.test(s)),
  fc.constantFrom(1, 0, -1, 1.5, true, null, [], {}, ['k'], { key: 'k' }),
);

// --- path segments and query strings (a request head over 16 KiB gets 431 before any route: api-server tests that; stay under it) ---

/** Tracker and item references that name nothing, or try to name something else. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2E%2F',
      '..%2f..%2fetc%2fpasswd',
      '..%5c..%5c',
      '%2f',
      '%2F%2F',
      '%00',
      '1%00',
      '%',
      '%E0%A4%A',
      '%ZZ',
      '%C0%AE%C0%AE',
      '%EF%BF%BF',
      '%F0%9F%98%80',
      '%ED%A0%80',
      '0',
      '-1',
      '1.5',
      '1e3',
      '0x1',
      '+1',
      '01',
      '99999999999999999999999',
      '9007199254740993',
      'NaN',
      'Infinity',
      '__proto__',
      'constructor',
      '%20',
      '1%20',
      'Bugs%20',
      '%27%20OR%20%271%27%3D%271',
      ';',
      '*',
      '~',
      '@',
      ':id',
    ),
  },
  { weight: 2, arbitrary: wildString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10_000 }).map((n) => 'n'.repeat(n)) },
);

const QUERY_KEYS = ['since', 'limit', 'since[]', 'limit[]', 'since[a]', 'limit[0]', '__proto__', 'constructor', 'toString', 'since.a', 'SINCE', 'offset', 'token', ''];

/** Query values for `since` and `limit` that the contract refuses, and some it accepts. */
export const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '-1', '0', '1.5', '1e3', '0x10', 'abc', ' 1', '1 ', '+1', '00000000000000001', '99999999999999999', '10001', '9'.repeat(400), 'NaN', 'null', 'true', '[]', '{}'),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.integer({ min: 0, max: 20_000 }).map(String),
  wildString,
);

/** A whole query string: known and unknown keys, repeated keys, bracket syntax, broken escapes. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), wildString), queryValue), { minLength: 1, maxLength: 6 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, 'x'))}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, 'x'))}`).join('&')),
  },
  { weight: 1, arbitrary: fc.constantFrom('since', 'since=', '&&&', '=', 'since=%', 'since=%zz', 'since=%00', 'since=1&since=2', 'limit=1&limit=', 'a[b][c][d][e][f]=1', `${'a'.repeat(10_000)}=1`, `since=${'1'.repeat(10_000)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 1_500 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=${i}`).join('&')) },
);

// --- headers ---

/** Header values node:http will send: printable ASCII and tabs. */
const headerText: fc.Arbitrary<string> = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });

export const contentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=UTF-16',
    'application/json; charset=latin1',
    'application/json; charset=nope',
    'application/json; charset=',
    'application/json;;;',
    'application/vnd.api+json',
    'application/x-ndjson',
    'text/plain',
    'text/html',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    '*/*',
    '',
    ';',
    'json',
  ),
  headerText,
);

export const acceptHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('application/json', 'application/x-ndjson', 'application/x-ndjson, application/json', 'text/html', '*/*', '', 'application/x-ndjson;q=0', 'x/x-ndjson'),
  headerText,
);

/** Headers a client could send on any request, sendable by node:http. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    accept: acceptHeader,
    'accept-encoding': fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'identity;q=0', '*;q=0', 'zstd'), headerText),
    'accept-charset': fc.oneof(fc.constantFrom('utf-8', 'latin1', 'nope'), headerText),
    'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4', '::1', 'unknown', '1.2.3.4, 5.6.7.8'), headerText),
    'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'PATCH', 'POST'),
    'if-none-match': headerText,
    range: fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=999999999-', 'items=1-2'),
    cookie: headerText,
    origin: headerText,
    'x-s15n-anything': headerText,
  },
  { requiredKeys: [] },
);

/** Authorization headers that are malformed or name nobody. */
export const badAuthorization: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'Basic', 'Basic ', 'Basic =', 'Basic ====', 'Basic !!!', 'Bearer abc', 'Digest x', 'basic', 'BASIC cm9vdA==', 'Basic cm9vdA=='),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
  fc.tuple(wildString, wildString).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`, 'utf8').toString('base64')}`),
  fc.integer({ min: 1_000, max: 12_000 }).map((n) => `Basic ${'A'.repeat(n)}`),
  headerText,
);
