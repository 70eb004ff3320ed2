import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { isWellFormedChange, isWellFormedLeftMarker, isWellFormedPushResponse, parseChange, parseFeedEntry, parsePushResponse } from '../../shared/api/wire-check.js';
import { Change, LeftMarker, PUSH_RESULT_STATUSES, PushResponse } from '../../shared/api/schemas.js';
import { STATUSES } from '../../shared/model/fields.js';

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const fileRef = fc.record({ name: fc.string(), size: fc.nat(), type: fc.string(), sha256: hex, extra: fc.jsonValue() }, { requiredKeys: ['name', 'size', 'type', 'sha256'] });
/** An attachment nearly well formed: a bad hash, a negative or fractional size, a missing key. */
const nearFileRef = fc.record(
  {
    name: fc.oneof(fc.string(), fc.integer()),
    size: fc.oneof(fc.nat(), fc.integer({ min: -3, max: -1 }), fc.double()),
    type: fc.string(),
    sha256: fc.oneof(hex, fc.string(), hex.map((h) => h.toUpperCase())),
  },
  { requiredKeys: ['size', 'type'] },
);
const fieldValue = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 4 }), fc.array(fileRef, { minLength: 1, maxLength: 3 }));

const validChange = fc.record(
  {
    id: fc.integer({ min: 1 }),
    seq: fc.integer({ min: 0 }),
    version: fc.integer({ min: 1 }),
    status: fc.constantFrom(...STATUSES),
    // zod refuses a value named __proto__; so does the plain check (tested below).
    values: fc.dictionary(fc.string().filter((name) => name !== '__proto__'), fieldValue, { maxKeys: 6 }),
    deleted: fc.constant(true as const),
    updatedAt: fc.string(),
    updatedBy: fc.option(fc.string()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['id', 'seq', 'version', 'status', 'values'] },
);

/** A valid change with one key broken, dropped, or given an arbitrary JSON value. */
const nearChange = fc
  .tuple(validChange, fc.constantFrom('id', 'seq', 'version', 'status', 'values', 'deleted', 'updatedAt', 'updatedBy'), fc.jsonValue(), fc.boolean())
  .map(([change, key, value, drop]) => {
    const copy: Record<string, unknown> = { ...change };
    if (drop) delete copy[key];
    else copy[key] = value;
    return copy;
  });

/** A valid change with one value replaced by an arbitrary JSON value. */
const badValue = fc.tuple(validChange, fc.string(), fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fileRef, nearFileRef), { minLength: 1, maxLength: 3 }))).map(([change, name, value]) => ({ ...change, values: { ...change.values, [name]: value } }));

/** What a feed line can hold: JSON, so the round trip through text is part of the input. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The plain check never accepts what the schema refuses, and what it accepts the schema parses to an equal object. */
function acceptsOnlyWhatTheSchemaAccepts(inputs: fc.Arbitrary<unknown>, check: (value: unknown) => boolean, schema: z.ZodType): void {
  fc.assert(
    fc.property(inputs.map(asJson), (input) => {
      if (!check(input)) return;
      const parsed = schema.safeParse(input);
      expect(parsed.success).toBe(true);
      expect(parsed.data).toEqual(input);
    }),
    { numRuns: 3000 },
  );
}

describe('isWellFormedChange', () => {
  it('accepts only what the Change schema accepts, and the schema gives the same object back', () => {
    acceptsOnlyWhatTheSchemaAccepts(fc.oneof(validChange, nearChange, badValue, fc.jsonValue()), isWellFormedChange, Change);
  });

  it('accepts every valid change a feed can carry (the plain check is the usual path, not the exception)', () => {
    fc.assert(
      fc.property(validChange.map(asJson), (input) => {
        expect(Change.safeParse(input).success).toBe(true);
        expect(isWellFormedChange(input)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses each kind of malformed change', () => {
    const good = { id: 1, seq: 2, version: 1, status: 'open', values: { title: 'a', tags: ['x'], n: 3, done: false, none: null } };
    expect(isWellFormedChange(good)).toBe(true);
    const bad: unknown[] = [
      null,
      [],
      'change',
      { ...good, id: 1.5 },
      { ...good, id: '1' },
      { ...good, seq: Number.MAX_SAFE_INTEGER + 2 },
      { ...good, version: undefined },
      { ...good, status: 'done' },
      { ...good, values: [] },
      { ...good, values: null },
      { ...good, values: { title: { nested: 1 } } },
      { ...good, values: { tags: ['x', 1] } },
      { ...good, values: { n: Number.NaN } },
      { ...good, deleted: false },
      { ...good, updatedAt: 5 },
      { ...good, updatedBy: 5 },
      JSON.parse('{"id":1,"seq":2,"version":1,"status":"open","values":{"__proto__":"x"}}'),
    ];
    for (const input of bad) expect(isWellFormedChange(input), JSON.stringify(input)).toBe(false);
  });
});

describe('parseChange', () => {
  it("throws the schema's own error for a malformed change, naming the path", () => {
    expect(() => parseChange({ id: 1, seq: 2, version: 1, status: 'open', values: { title: { nested: 1 } } })).toThrow(/values/);
    expect(() => parseChange({ id: 1, seq: 2, version: 1, status: 'nope', values: {} })).toThrow(/status/);
  });

  it('returns a well-formed change as it is', () => {
    const change = { id: 1, seq: 2, version: 1, status: 'closed', values: {}, deleted: true, future: { key: 1 } };
    expect(parseChange(change)).toBe(change);
  });
});

const pushResult = fc.record(
  {
    status: fc.constantFrom(...PUSH_RESULT_STATUSES),
    id: fc.integer({ min: 1 }),
    version: fc.integer({ min: 1 }),
    item: fc.oneof(
      validChange,
      validChange.map(({ seq: _seq, ...item }) => item),
    ),
    conflicts: fc.array(fc.string(), { maxLength: 3 }),
    error: fc.string(),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['status'] },
);

/** A valid result with one key broken, dropped, or given an arbitrary JSON value (the item's too). */
const nearResult = fc
  .tuple(pushResult, fc.constantFrom('status', 'id', 'version', 'item', 'conflicts', 'error'), fc.oneof(fc.jsonValue(), nearChange, badValue), fc.boolean())
  .map(([result, key, value, drop]) => {
    const copy: Record<string, unknown> = { ...result };
    if (drop) delete copy[key];
    else copy[key] = value;
    return copy;
  });

const pushResponse = fc.array(fc.oneof(pushResult, nearResult), { maxLength: 4 }).map((results) => ({ results }));

describe('isWellFormedPushResponse', () => {
  it('accepts only what the PushResponse schema accepts, and the schema gives the same object back', () => {
    acceptsOnlyWhatTheSchemaAccepts(fc.oneof(pushResponse, fc.jsonValue(), fc.record({ results: fc.jsonValue() })), isWellFormedPushResponse, PushResponse);
  });

  it('accepts every valid push answer', () => {
    fc.assert(
      fc.property(fc.array(pushResult, { maxLength: 5 }).map((results) => asJson({ results })), (input) => {
        expect(PushResponse.safeParse(input).success).toBe(true);
        expect(isWellFormedPushResponse(input)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses malformed answers, and parsePushResponse throws the schema's error for them", () => {
    const item = { id: 1, version: 2, status: 'open', values: { title: 'a' } };
    expect(isWellFormedPushResponse({ results: [{ status: 'updated', id: 1, version: 2, item }] })).toBe(true);
    const bad: unknown[] = [
      { results: {} },
      { results: [{ status: 'done' }] },
      { results: [{ status: 'updated', id: '1' }] },
      { results: [{ status: 'updated', item: { ...item, values: { title: {} } } }] },
      { results: [{ status: 'conflict', conflicts: [1] }] },
      { results: [{ status: 'rejected', error: 5 }] },
      { results: [null] },
    ];
    for (const input of bad) {
      expect(isWellFormedPushResponse(input), JSON.stringify(input)).toBe(false);
      expect(() => parsePushResponse(input)).toThrow();
    }
  });
});

describe('left markers', () => {
  it('the plain check accepts only what the LeftMarker schema accepts, and parseFeedEntry takes markers and changes alike', () => {
    const marker = fc.record({ id: fc.integer({ min: 1 }), seq: fc.integer({ min: 0 }), left: fc.constant(true), extra: fc.jsonValue() }, { requiredKeys: ['id', 'seq', 'left'] });
    const near = fc.tuple(marker, fc.constantFrom('id', 'seq', 'left'), fc.jsonValue()).map(([m, key, value]) => ({ ...m, [key]: value }));
    acceptsOnlyWhatTheSchemaAccepts(fc.oneof(marker, near, fc.jsonValue()), isWellFormedLeftMarker, LeftMarker);
    expect(parseFeedEntry({ id: 3, seq: 9, left: true })).toEqual({ id: 3, seq: 9, left: true });
    expect(parseFeedEntry({ id: 1, seq: 2, version: 1, status: 'open', values: {} })).toMatchObject({ id: 1, version: 1 });
    expect(() => parseFeedEntry({ id: 3, seq: 9, left: 'yes' })).toThrow();
  });
});
