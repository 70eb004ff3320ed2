/** The selectors of partial clones (shared/model/selector.ts): what they refuse and why, and the laws their matching keeps. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../shared/model/fields.js';
import { type Selector, checkSelector, matches, parseSelectorText } from '../../shared/model/selector.js';
import { type Values, canonicalValues } from '../../shared/model/values.js';

const FIELDS: FieldDef[] = [
  { name: 'title', label: 'title', type: 'text', required: false },
  { name: 'n', label: 'n', type: 'number', required: false },
  { name: 'due', label: 'due', type: 'date', required: false },
  { name: 'at', label: 'at', type: 'datetime', required: false },
  { name: 'sev', label: 'sev', type: 'dropdown', options: ['x', 'y', 'z'], required: false },
  { name: 'os', label: 'os', type: 'multiselect', options: ['x', 'y', 'z'], required: false },
  { name: 'tags', label: 'tags', type: 'tags', required: false },
  { name: 'done', label: 'done', type: 'checkbox', required: false },
];

/** Small pools per field, so operands and items meet often. */
const POOLS: Record<string, fc.Arbitrary<unknown>> = {
  title: fc.constantFrom('a', 'b', 'c'),
  n: fc.constantFrom(-1, 0, 1, 2.5, 3),
  due: fc.constantFrom('2024-01-01', '2024-01-02', '2025-06-30'),
  at: fc.constantFrom('2024-01-01T00:00:00.000Z', '2024-01-01T12:00:00.000Z', '2024-03-31T10:00:00.000Z'),
  sev: fc.constantFrom('x', 'y', 'z'),
  os: fc.subarray(['x', 'y', 'z'], { minLength: 1 }),
  tags: fc.subarray(['t1', 't2', 't3'], { minLength: 1 }),
  done: fc.boolean(),
};
const ORDERED = ['title', 'n', 'due', 'at'];
const SETS = ['os', 'tags'];

const item = fc.record({
  status: fc.constantFrom('open', 'pending', 'closed'),
  values: fc.record(Object.fromEntries(FIELDS.map((f) => [f.name, POOLS[f.name]!])), { requiredKeys: [] }).map((raw) => canonicalValues(FIELDS, raw)),
});

/** One value an operand may be for a field: a set field takes one member. */
const member = (name: string): fc.Arbitrary<unknown> => (SETS.includes(name) ? fc.constantFrom(...(name === 'os' ? ['x', 'y', 'z'] : ['t1', 't2', 't3'])) : POOLS[name]!);
const fieldName = fc.constantFrom(...FIELDS.map((f) => f.name), 'status');
const operand = (name: string) => (name === 'status' ? fc.constantFrom('open', 'pending', 'closed') : member(name));

/** A random condition on one field, as JSON. */
const condition: fc.Arbitrary<Record<string, unknown>> = fieldName.chain((name) => {
  const ops: fc.Arbitrary<unknown>[] = [
    operand(name),
    operand(name).map((v) => ({ $ne: v })),
    fc.array(operand(name), { maxLength: 3 }).map((vs) => ({ $in: vs })),
    fc.array(operand(name), { maxLength: 3 }).map((vs) => ({ $nin: vs })),
    fc.boolean().map((b) => ({ $exists: b })),
  ];
  if (ORDERED.includes(name)) ops.push(fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), operand(name)).map(([op, v]) => ({ [op]: v })));
  return fc.oneof(...ops).map((value) => ({ [name]: value }));
});

const selector: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ sel: Record<string, unknown> }>((tie) => ({
  sel: fc.oneof(
    { depthSize: 'small' },
    condition,
    fc.array(tie('sel'), { minLength: 1, maxLength: 3 }).map((xs) => ({ $and: xs })),
    fc.array(tie('sel'), { minLength: 1, maxLength: 3 }).map((xs) => ({ $or: xs })),
  ),
})).sel;

function parsed(input: unknown): Selector {
  const checked = checkSelector(input, FIELDS, { strict: true });
  if (!checked.ok) throw new Error(`refused ${JSON.stringify(input)}: ${JSON.stringify(checked.problems)}`);
  return checked.selector;
}
const test = (input: unknown, state: { status: string; values: Values }) => matches(parsed(input), state);
const RUNS = { numRuns: 400, seed: 15 };

describe('selector laws', () => {
  it('every selector of the subset is accepted, and matching never throws', () => {
    fc.assert(fc.property(selector, item, (sel, state) => typeof test(sel, state) === 'boolean'), RUNS);
  });

  it('$ne, $nin and $exists false are the negations of equality, $in and $exists true', () => {
    fc.assert(
      fc.property(fieldName.chain((name) => fc.tuple(fc.constant(name), operand(name), fc.array(operand(name), { maxLength: 3 }))), item, ([name, v, vs], state) => {
        expect(test({ [name]: { $ne: v } }, state)).toBe(!test({ [name]: v }, state));
        expect(test({ [name]: { $nin: vs } }, state)).toBe(!test({ [name]: { $in: vs } }, state));
        expect(test({ [name]: { $exists: false } }, state)).toBe(!test({ [name]: { $exists: true } }, state));
        // $in is an $or of equalities (an empty $in matches nothing).
        expect(test({ [name]: { $in: vs } }, state)).toBe(vs.some((x) => test({ [name]: x }, state)));
      }),
      RUNS,
    );
  });

  it('keys of one object, $and and $or combine as all and any', () => {
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 4 }), item, (conditions, state) => {
        const each = conditions.map((c) => test(c, state));
        expect(test({ $and: conditions }, state)).toBe(each.every(Boolean));
        expect(test({ $or: conditions }, state)).toBe(each.some(Boolean));
        const merged = Object.assign({}, ...conditions) as Record<string, unknown>;
        const kept = Object.keys(merged).map((key) => ({ [key]: merged[key] }));
        expect(test(merged, state)).toBe(kept.every((c) => test(c, state)));
      }),
      RUNS,
    );
  });

  it('ranges follow the type: a value is above, equal to or below an operand, and an item without a value is in no range', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDERED).chain((name) => fc.tuple(fc.constant(name), operand(name))), item, ([name, v], state) => {
        const [gt, gte, lt, lte, eq] = ['$gt', '$gte', '$lt', '$lte', '$eq'].map((op) => test({ [name]: { [op]: v } }, state));
        const has = test({ [name]: { $exists: true } }, state);
        if (!has) {
          expect([gt, gte, lt, lte]).toEqual([false, false, false, false]);
        } else {
          expect(gte).toBe(gt || eq);
          expect(lte).toBe(lt || eq);
          expect([gt, eq, lt].filter(Boolean)).toHaveLength(1);
        }
      }),
      RUNS,
    );
  });

  it('a difference of representation is never a difference: datetimes in any offset, sets in any order, numbers as numbers', () => {
    const state = { status: 'open', values: canonicalValues(FIELDS, { at: '2024-01-01T12:00:00Z', os: ['y', 'x'], tags: ['t2'], n: 2 }) };
    expect(test({ at: '2024-01-01T14:00:00+02:00' }, state)).toBe(true);
    expect(test({ at: { $gt: '2024-01-01 11:59' } }, state)).toBe(true);
    expect(test({ os: ['x', 'y'] }, state)).toBe(true);
    expect(test({ os: 'x', tags: ' t2 ' }, state)).toBe(true);
    expect(test({ n: { $gt: 10 } }, state)).toBe(false);
    expect(test({ n: { $lt: 10 } }, state)).toBe(true);
  });
});

describe('what a selector refuses, naming the part and why', () => {
  const problems = (text: string, strict = true) => {
    const checked = parseSelectorText(text, FIELDS, { strict });
    return checked.ok ? [] : checked.problems;
  };

  it('names every bad part under where', () => {
    expect(problems('{"n": {"$gte": "x"}, "sev": "w", "tags": {"$gt": "a"}, "$nor": [], "os": {"$in": "x"}}')).toEqual([
      { field: 'where.n.$gte', reason: 'expected a finite number, got the string "x"' },
      { field: 'where.sev', reason: expect.stringMatching(/"w" is not one of the options \(x, y, z\)/) },
      { field: 'where.tags.$gt', reason: expect.stringMatching(/a tags field has no order/) },
      { field: 'where.$nor', reason: expect.stringMatching(/not a field and not \$and or \$or/) },
      { field: 'where.os.$in', reason: 'expected a list of values, got the string "x"' },
    ]);
    expect(problems('{"done": {"$exists": 1}, "title": {"x": 1}, "due": {}}')).toEqual([
      { field: 'where.done.$exists', reason: 'expected true or false, got number 1' },
      { field: 'where.title', reason: expect.stringMatching(/expected a value or an object of operators/) },
      { field: 'where.due', reason: expect.stringMatching(/an empty object/) },
    ]);
    expect(problems('[]')).toEqual([{ field: 'where', reason: expect.stringMatching(/expected a JSON object/) }]);
    expect(problems(`{"title": "${'x'.repeat(9000)}"}`)[0]?.reason).toMatch(/at most 8192 characters/);
    const deep = '{"$and": ['.repeat(10) + '{"n": 1}' + ']}'.repeat(10);
    expect(problems(deep)[0]?.reason).toMatch(/nested more than 8 levels/);
  });

  it('strict refuses unknown fields and options; not strict, an unknown field has no value and any option string compares', () => {
    expect(problems('{"gone": 1}')).toEqual([{ field: 'where.gone', reason: expect.stringMatching(/no such field in the tracker \(fields: status, title/) }]);
    expect(problems('{"gone": 1, "sev": "w"}', false)).toEqual([]);
    const lenient = parseSelectorText('{"gone": {"$exists": false}, "sev": {"$ne": "w"}}', FIELDS);
    expect(lenient.ok && matches(lenient.selector, { status: 'open', values: { sev: 'x' } })).toBe(true);
    const none = parseSelectorText('{"gone": 1}', FIELDS);
    expect(none.ok && matches(none.selector, { status: 'open', values: {} })).toBe(false);
  });

  it('equality with null (or an empty value) means no value', () => {
    expect(test({ title: null }, { status: 'open', values: {} })).toBe(true);
    expect(test({ title: '' }, { status: 'open', values: { title: 'a' } })).toBe(false);
    expect(test({ title: { $ne: null } }, { status: 'open', values: { title: 'a' } })).toBe(true);
    expect(test({ status: { $in: ['open', 'pending'] } }, { status: 'pending', values: {} })).toBe(true);
  });
});
