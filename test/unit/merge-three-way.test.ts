/** Properties of the per-field three-way rule over arbitrary schemas of every field type (DESIGN §4). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FieldConflict, type ItemState, type MergeResult, STATUS_FIELD_DEF, mergeItem } from '../../shared/merge/index.js';
import { FIELD_TYPES, type FieldDef, type FieldType, type ItemStatus, STATUSES } from '../../shared/model/fields.js';
import type { FileRef } from '../../shared/model/files.js';
import { type FieldValue, type Values, normalizeValue, validateValue, valuesEqual } from '../../shared/model/values.js';

const OPTIONS = ['low', 'mid', 'high'];
const hashOf = (digit: string) => digit.repeat(64);
/** Attachments from a small pool: three contents, two names for one of them. */
const FILES = [
  { name: 'a.png', size: 3, type: 'image/png', sha256: hashOf('a') },
  { name: 'b.txt', size: 0, type: 'text/plain', sha256: hashOf('b') },
  { name: 'c.pdf', size: 9, type: 'application/pdf', sha256: hashOf('c') },
  { name: 'renamed.pdf', size: 9, type: 'application/pdf', sha256: hashOf('c') },
];

/** Valid values of each type, from small pools so that sides often hold the same value. */
const VALUE: Record<FieldType, fc.Arbitrary<unknown>> = {
  text: fc.constantFrom('a', 'b', 'Crash on save', 'ünïcødé'),
  textarea: fc
    .tuple(fc.array(fc.constantFrom('one', 'two', 'three', 'four', ''), { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([lines, finalEol]) => lines.join('\n') + (finalEol ? '\n' : '')),
  number: fc.oneof(fc.constantFrom(0, 1, 2.5, -3), fc.double({ noNaN: true, noDefaultInfinity: true })),
  checkbox: fc.boolean(),
  dropdown: fc.constantFrom(...OPTIONS),
  multiselect: fc.subarray(OPTIONS),
  date: fc.constantFrom('2024-01-31', '2024-02-29', '1999-12-01'),
  datetime: fc.oneof(
    fc.constantFrom('2024-01-02T10:00:00.000Z', '2024-03-30T23:59:59.999Z'),
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  email: fc.constantFrom('a@example.com', 'b@example.org'),
  url: fc.constantFrom('https://example.com/', 'https://example.com/x?y=1', 'ftp://files.example.net/a'),
  tags: fc.uniqueArray(fc.constantFrom('bug', 'ui', 'db', 'p1', 'needs info')),
  location: fc.constantFrom('45.5,7.25', '0,0', '-33.9,151.2,12'),
  user: fc.constantFrom('alice', 'bob'),
  autoincrement: fc.integer({ min: 1, max: 3 }),
  page: fc.constantFrom('HomePage', 'Roadmap'),
  itemlink: fc.integer({ min: 1, max: 3 }),
  files: fc.uniqueArray(fc.constantFrom(...FILES), { selector: (f) => f.sha256 }),
};

/** Another representation of the same value: never a change, never a conflict. */
function restyle(type: FieldType, value: FieldValue): unknown {
  if (value === null) return SET_LIKE.has(type) ? [] : '';
  switch (type) {
    case 'number':
      return value === 0 ? -0 : value;
    case 'multiselect':
      return [...(value as string[])].reverse().concat((value as string[]).slice(0, 1));
    case 'files': {
      // Reversed, one entry twice, and a key a newer peer might add.
      const files = value as FileRef[];
      return [...files].reverse().map((f, i) => (i === 0 ? { extra: true, ...f } : f)).concat(files.slice(0, 1));
    }
    case 'tags':
      return [...(value as string[])].reverse().map((tag) => ` ${tag} `).concat(['  ', (value as string[])[0] as string]);
    case 'datetime': {
      // The same instant, written in +05:30.
      const shifted = new Date(Date.parse(value as string) + 330 * 60_000).toISOString();
      return `${shifted.slice(0, 23)}+05:30`;
    }
    case 'date':
      return ` ${value as string} `;
    case 'location':
      return (value as string).replace(/,/g, ' , ');
    default:
      return value;
  }
}
const SET_LIKE: ReadonlySet<FieldType> = new Set(['multiselect', 'tags', 'files']);

const fieldOf = (type: FieldType, index: number): FieldDef => ({
  name: `f${index}_${type}`,
  label: type,
  type,
  required: false,
  ...(type === 'dropdown' || type === 'multiselect' ? { options: OPTIONS } : {}),
});

const schema = fc.array(fc.constantFrom(...FIELD_TYPES), { minLength: 1, maxLength: 8 }).map((types) => types.map(fieldOf));
const status: fc.Arbitrary<ItemStatus> = fc.constantFrom(...STATUSES);

/** A canonical value (as the store holds it) or no value. */
const valueOf = (field: FieldDef): fc.Arbitrary<FieldValue> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: VALUE[field.type].map((v) => normalizeValue(field.type, v)) });

/** A canonical values object: no key for no value, sometimes an explicit null. */
function valuesFrom(fields: readonly FieldDef[], values: readonly FieldValue[], explicitNull = false): Values {
  const out: Values = {};
  fields.forEach((field, i) => {
    const value = values[i] ?? null;
    if (value !== null || explicitNull) out[field.name] = value;
  });
  return out;
}

const stateOf = (fields: readonly FieldDef[]) =>
  fc.tuple(status, fc.tuple(...fields.map(valueOf)), fc.boolean()).map(([s, values, explicitNull]): ItemState => ({ status: s, values: valuesFrom(fields, values, explicitNull) }));

/** One side's edit of a state: each field and the status either kept or given a new arbitrary value. */
const editOf = (fields: readonly FieldDef[], from: ItemState) =>
  fc
    .tuple(
      fc.oneof(fc.constant(from.status), status),
      fc.tuple(...fields.map((f) => fc.oneof(fc.constant(from.values[f.name] ?? null), valueOf(f)))),
    )
    .map(([s, values]): ItemState => ({ status: s, values: valuesFrom(fields, values) }));

const item = schema.chain((fields) => stateOf(fields).map((base) => ({ fields, base })));
/** base, local and remote: each side an edit of the base, remote sometimes repeating local's edit. */
const triple = item.chain(({ fields, base }) =>
  editOf(fields, base).chain((local) =>
    fc.oneof(editOf(fields, base), fc.constant(local), editOf(fields, local)).map((remote) => ({ fields, base, local, remote })),
  ),
);

const get = (state: ItemState, name: string): unknown => (name === 'status' ? state.status : state.values[name]);
const everyField = (fields: readonly FieldDef[]): readonly FieldDef[] => [STATUS_FIELD_DEF, ...fields];
const same = (field: FieldDef, a: ItemState, b: ItemState) => valuesEqual(field.type, get(a, field.name), get(b, field.name));
const sameState = (fields: readonly FieldDef[], a: ItemState, b: ItemState) => everyField(fields).every((f) => same(f, a, b));

function expectState(fields: readonly FieldDef[], actual: ItemState, expected: ItemState): void {
  for (const field of everyField(fields)) expect(same(field, actual, expected), `${field.name}: ${JSON.stringify(get(actual, field.name))} vs ${JSON.stringify(get(expected, field.name))}`).toBe(true);
}

const conflictNames = (result: MergeResult) => result.conflicts.map((c) => c.name);

describe('mergeItem: one side unchanged', () => {
  it('gives the remote state with no conflict when local did not change the item', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, remote }) => {
        const result = mergeItem(fields, base, base, remote);
        expectState(fields, result.state, remote);
        expect(result.conflicts).toEqual([]);
        expect(result.localPending).toBe(false);
        expect(result.remoteTaken).toBe(!sameState(fields, base, remote));
        expect(result.merged).toBe(false);
      }),
    );
  });

  it('keeps the local state with no conflict when remote did not change the item', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local }) => {
        const result = mergeItem(fields, base, local, base);
        expectState(fields, result.state, local);
        expect(result.conflicts).toEqual([]);
        expect(result.remoteTaken).toBe(false);
        expect(result.localPending).toBe(!sameState(fields, base, local));
      }),
    );
  });

  it('gives the common state with nothing to do when both sides made the same edit', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local }) => {
        const result = mergeItem(fields, base, local, local);
        expectState(fields, result.state, local);
        expect(result).toMatchObject({ conflicts: [], outcomes: {}, localPending: false, remoteTaken: false, merged: false });
      }),
    );
  });
});

describe('mergeItem: both sides changed', () => {
  it('finds the same conflicts whichever side is local, with local and remote swapped', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const one = mergeItem(fields, base, local, remote);
        const two = mergeItem(fields, base, remote, local);
        const mirrored = (c: FieldConflict): FieldConflict => ({
          ...c,
          local: c.remote,
          remote: c.local,
          ...(c.hunks ? { hunks: c.hunks.map((h) => ({ ...h, local: h.remote, remote: h.local })) } : {}),
        });
        expect(two.conflicts).toEqual(one.conflicts.map(mirrored));
      }),
    );
  });

  it('keeps every edit made on one side only, whatever the other side did elsewhere', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        for (const field of everyField(fields)) {
          const localChanged = !same(field, local, base);
          const remoteChanged = !same(field, remote, base);
          if (localChanged && !remoteChanged) {
            expect(same(field, result.state, local), field.name).toBe(true);
            expect(result.outcomes[field.name]).toBe('local');
          }
          if (remoteChanged && !localChanged) {
            expect(same(field, result.state, remote), field.name).toBe(true);
            expect(result.outcomes[field.name]).toBe('remote');
          }
        }
      }),
    );
  });

  it('never drops an edit silently: each changed field is in the result, merged, or a listed conflict', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        const conflicting = new Set(conflictNames(result));
        for (const field of everyField(fields)) {
          for (const side of [local, remote]) {
            if (same(field, side, base)) continue;
            const kept = same(field, result.state, side);
            expect(kept || result.outcomes[field.name] === 'merged' || conflicting.has(field.name), field.name).toBe(true);
          }
        }
      }),
    );
  });

  it('merges set fields by adds and removes: every add of either side stays, every remove of either side applies', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        for (const field of fields.filter((f) => SET_LIKE.has(f.type))) {
          expect(result.outcomes[field.name]).not.toBe('conflict');
          // Set entries are strings; attachments are keyed by their sha256.
          const keys = (s: ItemState) => ((s.values[field.name] ?? []) as (string | FileRef)[]).map((e) => (typeof e === 'string' ? e : e.sha256));
          const [b, l, r, m] = [base, local, remote, result.state].map(keys) as [string[], string[], string[], string[]];
          for (const entry of new Set([...b, ...l, ...r])) {
            const expected = b.includes(entry) ? l.includes(entry) && r.includes(entry) : l.includes(entry) || r.includes(entry);
            expect(m.includes(entry), `${field.name} ${entry}`).toBe(expected);
          }
        }
      }),
    );
  });

  it('conflicts only on fields both sides changed differently, and keeps the local value there', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        for (const conflict of result.conflicts) {
          const field = everyField(fields).find((f) => f.name === conflict.name) as FieldDef;
          expect(same(field, local, base) || same(field, remote, base) || same(field, local, remote)).toBe(false);
          expect(valuesEqual(field.type, get(result.state, field.name), get(local, field.name))).toBe(true);
          expect(valuesEqual(field.type, conflict.base, get(base, field.name))).toBe(true);
          expect(valuesEqual(field.type, conflict.local, get(local, field.name))).toBe(true);
          expect(valuesEqual(field.type, conflict.remote, get(remote, field.name))).toBe(true);
          if (field.type === 'textarea') expect(conflict.hunks?.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('mergeItem: the result', () => {
  it('lists conflicts in schema order with status first, and reports them in outcomes', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        const order = everyField(fields).map((f) => f.name);
        expect(conflictNames(result)).toEqual(order.filter((name) => conflictNames(result).includes(name)));
        expect(conflictNames(result)).toEqual(order.filter((name) => result.outcomes[name] === 'conflict'));
        for (const outcome of Object.values(result.outcomes)) expect(outcome).not.toBe('agreed');
      }),
    );
  });

  it('sets localPending when the state differs from remote and remoteTaken when it differs from local', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const result = mergeItem(fields, base, local, remote);
        expect(result.localPending).toBe(!sameState(fields, result.state, remote));
        expect(result.remoteTaken).toBe(!sameState(fields, result.state, local));
        expect(result.merged).toBe(Object.values(result.outcomes).includes('merged'));
      }),
    );
  });

  it('holds canonical, valid values and only the schema fields that have a value', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const { state } = mergeItem(fields, base, local, remote);
        const names = new Set(fields.map((f) => f.name));
        for (const [name, value] of Object.entries(state.values)) {
          expect(names.has(name)).toBe(true);
          const field = fields.find((f) => f.name === name) as FieldDef;
          expect(value).not.toBeNull();
          expect(value).toEqual(normalizeValue(field.type, value));
          if (field.type !== 'autoincrement') expect(validateValue(field, value).ok, `${name}: ${JSON.stringify(value)}`).toBe(true);
        }
      }),
    );
  });
});

describe('mergeItem: differences of representation', () => {
  const restyled = (fields: readonly FieldDef[], state: ItemState): ItemState => ({
    status: state.status,
    values: Object.fromEntries(fields.map((f) => [f.name, restyle(f.type, state.values[f.name] ?? null)])) as Values,
  });

  it('are never a conflict nor a change, on either side', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const both = mergeItem(fields, base, restyled(fields, base), restyled(fields, base));
        expect(both).toMatchObject({ conflicts: [], outcomes: {}, localPending: false, remoteTaken: false });
        const remoteOnly = mergeItem(fields, base, restyled(fields, base), remote);
        expect(remoteOnly.conflicts).toEqual([]);
        expectState(fields, remoteOnly.state, remote);
        const localOnly = mergeItem(fields, base, local, restyled(fields, base));
        expect(localOnly.conflicts).toEqual([]);
        expectState(fields, localOnly.state, local);
        const agreed = mergeItem(fields, base, local, restyled(fields, local));
        expect(agreed).toMatchObject({ conflicts: [], outcomes: {}, localPending: false });
      }),
    );
  });

  it('come out canonical', () => {
    fc.assert(
      fc.property(triple, ({ fields, base, local, remote }) => {
        const { state } = mergeItem(fields, restyled(fields, base), restyled(fields, local), restyled(fields, remote));
        for (const field of fields) {
          const value = state.values[field.name];
          if (value !== undefined) expect(value).toEqual(normalizeValue(field.type, value));
        }
      }),
    );
  });

  it('example: -0 and 0, reordered tags, and one instant in two time zones', () => {
    const fields = [fieldOf('number', 0), fieldOf('tags', 1), fieldOf('datetime', 2)];
    const base: ItemState = { status: 'open', values: { f0_number: 0, f1_tags: ['a', 'b'], f2_datetime: '2024-05-01T08:00:00.000Z' } };
    const local: ItemState = { status: 'open', values: { f0_number: -0, f1_tags: ['b', ' a'], f2_datetime: '2024-05-01T10:00:00+02:00' } };
    const remote: ItemState = { status: 'open', values: { f0_number: 0, f1_tags: ['b', 'a', 'a'], f2_datetime: '2024-05-01T03:00:00-05:00' } };
    expect(mergeItem(fields, base, local, remote)).toMatchObject({ conflicts: [], outcomes: {}, localPending: false, remoteTaken: false });
  });
});
