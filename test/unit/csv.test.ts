/** CSV in and out (DESIGN §13): an export imports back exactly for every field type (property), the file's problems named by row and column, and the upsert plan. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInput } from '../../shared/errors.js';
import { csvHeader, csvRecord, inFileTerms, readCsvRows, stringifyCsv } from '../../shared/model/csv.js';
import { type FieldDef, type FieldType, FIELD_TYPES, STATUSES } from '../../shared/model/fields.js';
import { keyText } from '../../shared/model/keys.js';
import { type LiveState, type UpsertRow, planUpsert } from '../../shared/model/upsert.js';
import { type FieldValue, type Values, normalizeValue, validateValue, valuesEqual } from '../../shared/model/values.js';

// Strings rich in what CSV and the parser treat specially: commas, quotes, CR, LF, brackets, spaces.
const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', '1', '.', ' ', '\t', '\n', '\r', ',', '"', '[', ']', '\\', ';'), minLength: 1, maxLength: 12 });
const anyText = fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 20 }));
const oneLine = anyText.filter((s) => !/[\r\n]/.test(s) && s.trim() !== '');
const dates = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
const positive = fc.maxSafeNat().filter((n) => n > 0);

/** A field of each type and an arbitrary of its raw values (validateValue makes them canonical). */
function fieldOf(type: FieldType, options: string[]): FieldDef {
  return { name: `f_${type}`, label: type, type, required: false, ...(type === 'dropdown' || type === 'multiselect' ? { options } : {}), ...(type === 'itemlink' ? { linkedTracker: 1 } : {}) };
}

function rawOf(type: FieldType, options: string[]): fc.Arbitrary<unknown> {
  switch (type) {
    case 'text':
    case 'textarea':
      return anyText;
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'checkbox':
      return fc.boolean();
    case 'dropdown':
      return fc.constantFrom(...options);
    case 'multiselect':
      return fc.subarray(options, { minLength: 1 });
    case 'date':
      return dates.map((d) => d.toISOString().slice(0, 10));
    case 'datetime':
      return dates.map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress();
    case 'url':
      return fc.webUrl({ withQueryParameters: true, withFragments: true });
    case 'tags':
    case 'files':
      return fc.array(anyText, { minLength: 1, maxLength: 4 });
    case 'location':
      return fc.tuple(fc.integer({ min: -90_000, max: 90_000 }), fc.integer({ min: -180_000, max: 180_000 })).map(([lat, lon]) => `${lat / 1000},${lon / 1000}`);
    case 'user':
    case 'page':
      return oneLine;
    case 'itemlink':
    case 'autoincrement':
      return positive;
  }
}

function canonical(field: FieldDef, raw: unknown): FieldValue {
  if (field.type === 'autoincrement') return normalizeValue(field.type, raw);
  const check = validateValue(field, raw);
  return check.ok ? check.value : null;
}

const schemaAndItems = fc.uniqueArray(anyText, { minLength: 1, maxLength: 4 }).chain((options) => {
  const fields = FIELD_TYPES.map((type) => fieldOf(type, options));
  const item = fc.record({
    status: fc.constantFrom(...STATUSES),
    raw: fc.tuple(...fields.map((f) => fc.option(rawOf(f.type, options), { nil: undefined }))),
  });
  return fc.record({ fields: fc.constant(fields), items: fc.array(item, { minLength: 1, maxLength: 5 }) });
});

describe('export → import', () => {
  it('gives back every value of every field type and the status, exactly', () => {
    fc.assert(
      fc.property(schemaAndItems, ({ fields, items }) => {
        const states = items.map(({ status, raw }) => {
          const values: Values = {};
          fields.forEach((f, i) => {
            const value = raw[i] === undefined ? null : canonical(f, raw[i]);
            if (value !== null) values[f.name] = value;
          });
          return { status, values };
        });
        const text = stringifyCsv([csvHeader(fields), ...states.map((s) => csvRecord(fields, s))]);
        const { rows } = readCsvRows(fields, `\uFEFF${text}`);
        expect(rows).toHaveLength(states.length);
        rows.forEach((row, i) => {
          expect(row.status ?? 'open').toBe(states[i]!.status);
          for (const f of fields) {
            const [want, got] = [states[i]!.values[f.name] ?? null, row.values[f.name] ?? null];
            expect(valuesEqual(f.type, got, want), `${f.type}: ${JSON.stringify(want)} came back as ${JSON.stringify(got)} from ${JSON.stringify(text)}`).toBe(true);
          }
        });
      }),
      { numRuns: 150, seed: 1613 },
    );
  });
});

const PEOPLE: FieldDef[] = [
  { name: 'email', label: 'Email', type: 'email', required: false, key: true },
  { name: 'name', label: 'Name', type: 'text', required: true },
  { name: 'prio', label: 'Prio', type: 'dropdown', options: ['low', 'high'], required: false },
];

function refusal(fn: () => unknown): { message: string; problems: { field: string; reason: string }[] } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadInput);
    return { message: (error as BadInput).message, problems: (error as BadInput).problems };
  }
  throw new Error('not refused');
}

describe('reading a file', () => {
  it('names every bad cell by row, column and reason, and an unknown or repeated column', () => {
    const bad = refusal(() => readCsvRows(PEOPLE, 'email,name,prio,status\nnope,A,low,open\nb@x.org,B,urgent,archived\nc@x.org,C\n'));
    expect(bad.problems).toEqual([
      { field: 'row 2, column 1 (email)', reason: expect.stringMatching(/expected an email address/) },
      { field: 'row 3, column 3 (prio)', reason: expect.stringMatching(/"urgent" is not one of the options/) },
      { field: 'row 3, column 4 (status)', reason: expect.stringMatching(/expected one of open, pending, closed/) },
      { field: 'row 4', reason: '2 cells, the header has 4 columns' },
    ]);
    expect(refusal(() => readCsvRows(PEOPLE, 'email,nmae,email\n')).problems.map((p) => p.field)).toEqual(['row 1, column 2', 'row 1, column 3']);
    expect(refusal(() => readCsvRows(PEOPLE, 'email,name\n"a@x.org,A\n')).problems[0]!.field).toMatch(/^line \d/);
  });

  it('words a store\'s problem with a row in the file\'s terms', () => {
    const { columns } = readCsvRows(PEOPLE, 'email,name\n');
    expect(inFileTerms({ field: 'rows[3].values.email', reason: 'is the key of the new item of rows[1]' }, columns)).toEqual({ field: 'row 5, column 1 (email)', reason: 'is the key of the new item of row 3' });
    expect(inFileTerms({ field: 'rows[0].values.prio', reason: 'required' }, columns).field).toBe('row 2 (prio)');
  });
});

/** A plan against live items held in a map (the key index derived from them). */
function plan(rows: UpsertRow[], live: LiveState[], match = ['email']) {
  const byId = new Map(live.map((i) => [i.id, i]));
  return planUpsert(rows, {
    fields: PEOPLE,
    match,
    holders: (field, text) => live.filter((i) => keyText(i.values[field]) === text).map((i) => i.id),
    item: (id) => byId.get(id),
    live: () => live,
  });
}

describe('the upsert plan', () => {
  const bob: LiveState = { id: 1, status: 'open', values: { email: 'bob@x.org', name: 'Bob', prio: 'low' } };

  it('updates a matching item with the columns given, creates the rest, and counts what did not change', () => {
    const p = plan(
      [
        { values: { email: 'bob@x.org', prio: 'high' } },
        { values: { email: 'ann@x.org', name: 'Ann' } },
        { values: { email: 'bob@x.org', name: 'Bob' } },
        { status: 'closed', values: { email: 'ann@x.org', prio: null } },
      ],
      [bob],
    );
    expect(p.problems).toEqual([]);
    expect([p.created, p.updated, p.unchanged]).toEqual([1, 2, 1]);
    expect(p.writes).toEqual([
      { op: 'update', row: 0, id: 1, state: { status: 'open', values: { email: 'bob@x.org', name: 'Bob', prio: 'high' } } },
      { op: 'create', row: 1, state: { status: 'closed', values: { email: 'ann@x.org', name: 'Ann' } } },
    ]);
  });

  it('refuses what a row may not do: a required field missing, a key another item holds, a match of several', () => {
    const ann: LiveState = { id: 2, status: 'open', values: { email: 'ann@x.org', name: 'Bob' } };
    const p = plan([{ values: { email: 'new@x.org' } }, { values: { email: 'ann@x.org', name: 'X' } }, { values: { name: 'twin' } }, { values: { email: 'bob@x.org' } }], [bob, ann]);
    expect(p.problems.map((x) => x.field)).toEqual(['rows[0].values.name']);
    const keyClash = plan([{ values: { email: 'x@x.org', name: 'X' } }, { values: { name: 'Bob', email: 'x@x.org' } }], [bob, ann], ['name']);
    expect(keyClash.problems).toEqual([
      { field: 'rows[1]', reason: expect.stringMatching(/matches several items \(1, 2\)/) },
    ]);
    const moved = plan([{ values: { email: 'ann@x.org', name: 'A' } }, { values: { email: 'bob@x.org', name: 'B' } }], [bob], ['name']);
    expect(moved.problems).toEqual([{ field: 'rows[1].values.email', reason: expect.stringContaining('key of item 1') }]);
  });
});
