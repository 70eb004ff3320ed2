import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FieldDef, type FieldType, checkFieldDefs } from '../../shared/model/fields.js';
import { applyChange, canonicalValues, changedFields, inFieldOrder, normalizeValue, validateValue, validateValues, valuesEqual } from '../../shared/model/values.js';
import { canonicalJson, hashItem, hashSchema } from '../../shared/hash.js';

const field = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name: `f_${type}`, label: type, type, required: false, ...extra });
const accepts = (f: FieldDef, value: unknown) => validateValue(f, value).ok;

describe('validateValue accepts and refuses by type', () => {
  const cases: [FieldDef, unknown[], unknown[]][] = [
    [field('text'), ['x', 'multi\nline', "Robert'); DROP TABLE items;--"], [1, true, {}, ['a']]],
    [field('textarea'), ['a\nb'], [12, 'x'.repeat(1_048_577)]],
    [field('number'), [0, -3.5, 1e12], ['12', Number.NaN, Infinity, true]],
    [field('checkbox'), [true, false], ['true', 1, 0]],
    [field('dropdown', { options: ['low', 'high'] }), ['low', 'high'], ['medium', 1, ['low']]],
    [field('multiselect', { options: ['a', 'b'] }), [['a'], ['b', 'a']], [['c'], 'a', [1]]],
    [field('date'), ['2024-02-29', '1999-12-31'], ['2023-02-29', '2024-13-01', '24-01-01', 20240101]],
    [field('datetime'), ['2024-01-01T10:00:00Z', '2024-01-01T10:00:00.123+02:00', '2024-01-01 10:00'], ['yesterday', '2024-01-01', 5]],
    [field('email'), ['a@b.org', 'first.last+tag@example.co.uk'], ['a@b', 'no spaces@x.org', 'plain']],
    [field('url'), ['https://example.org/a?b=c', 'mailto:x@y.org'], ['javascript:alert(1)', 'not a url', '/relative']],
    [field('tags'), [['x', 'y'], []], ['x', [3]]],
    [field('location'), ['46.5,6.6', '-33.9,151.2,12'], ['91,0', '0,181', 'north', '1,2,3,4']],
    [field('user'), ['alice'], [3, 'two\nlines']],
    [field('page'), ['HomePage'], [{}, 'a\nb']],
    [field('itemlink', { linkedTracker: 1 }), [1, 42], [0, -1, 1.5, '3']],
    [
      field('files'),
      [[{ name: 'a.png', size: 3, type: 'image/png', sha256: 'a'.repeat(64) }], [{ name: 'x', size: 0, type: 'application/octet-stream', sha256: '0'.repeat(64), more: 1 }]],
      [
        'a.png',
        [1],
        ['a.png'],
        [{ name: '../etc/passwd', size: 1, type: 'text/plain', sha256: 'a'.repeat(64) }],
        [{ name: 'a', size: -1, type: 'text/plain', sha256: 'a'.repeat(64) }],
        [{ name: 'a', size: 1, type: 'not a type', sha256: 'a'.repeat(64) }],
        [{ name: 'a', size: 1, type: 'text/plain', sha256: 'A'.repeat(64) }],
        [{ name: '..', size: 1, type: 'text/plain', sha256: 'a'.repeat(64) }],
        [{ name: 'a\u0000b', size: 1, type: 'text/plain', sha256: 'a'.repeat(64) }],
      ],
    ],
  ];
  for (const [f, good, bad] of cases) {
    it(`${f.type}: accepts ${good.length} valid values and refuses ${bad.length} invalid ones with a reason`, () => {
      for (const value of good) expect(accepts(f, value), JSON.stringify(value)).toBe(true);
      for (const value of bad) {
        const check = validateValue(f, value);
        expect(check.ok, JSON.stringify(value)).toBe(false);
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(5);
      }
    });
  }

  it('refuses any value for an autoincrement field: the server assigns it', () => {
    expect(validateValue(field('autoincrement'), 3)).toEqual({ ok: false, reason: expect.stringMatching(/assigned by the server/) });
  });
});

describe('validateValues', () => {
  const fields: FieldDef[] = [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'prio', label: 'Priority', type: 'dropdown', options: ['low', 'high'], required: false },
    { name: 'n', label: 'N', type: 'number', required: false },
  ];

  it('names each refused field with its path and reason', () => {
    const { problems } = validateValues(fields, { prio: 'urgent', n: 'ten', ghost: 1 }, { partial: false });
    expect(problems.map((p) => p.field).sort()).toEqual(['values.ghost', 'values.n', 'values.prio', 'values.title']);
    expect(problems.find((p) => p.field === 'values.ghost')?.reason).toMatch(/unknown field/);
  });

  it('refuses clearing a required field in a change, and accepts clearing an optional one', () => {
    expect(validateValues(fields, { title: null }, { partial: true }).problems[0]?.field).toBe('values.title');
    expect(validateValues(fields, { n: null }, { partial: true })).toEqual({ values: { n: null }, problems: [] });
  });

  it('returns canonical values in schema order without empty values for a new item', () => {
    expect(validateValues(fields, { n: -0, prio: '', title: 'T' }, { partial: false })).toEqual({ values: { title: 'T', n: 0 }, problems: [] });
  });

  it('refuses a values object that is not an object', () => {
    for (const input of [null, [], 'x', 3]) expect(validateValues(fields, input, { partial: true }).problems).toHaveLength(1);
  });
});

describe('normalisation: a difference of representation is never a change', () => {
  it('compares sets as sets, datetimes as instants, numbers as numbers, empties as empty', () => {
    expect(valuesEqual('multiselect', ['b', 'a'], ['a', 'b', 'a'])).toBe(true);
    expect(valuesEqual('tags', [' x', 'y'], ['y', 'x'])).toBe(true);
    expect(valuesEqual('datetime', '2024-01-01T12:00:00+02:00', '2024-01-01T10:00:00.000Z')).toBe(true);
    expect(valuesEqual('number', -0, 0)).toBe(true);
    expect(valuesEqual('location', '46.50,6.60', '46.5, 6.6')).toBe(true);
    expect(valuesEqual('text', '', null)).toBe(true);
    expect(valuesEqual('text', 'a', 'a ')).toBe(false);
    expect(valuesEqual('checkbox', false, null)).toBe(false);
  });

  it('is idempotent for every type and value (normalising twice changes nothing)', () => {
    const types = ['text', 'number', 'multiselect', 'tags', 'datetime', 'location', 'date'] as const;
    const arbValue = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.array(fc.string(), { maxLength: 5 }), fc.constant(null), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
    fc.assert(
      fc.property(fc.constantFrom(...types), arbValue, (type, value) => {
        const once = normalizeValue(type, value);
        expect(normalizeValue(type, once)).toEqual(once);
      }),
      { numRuns: 2000 },
    );
    // Found by the property: a blank date trimmed to "" (no value only on the second pass).
    for (const type of ['date', 'datetime'] as const) for (const blank of [' ', '\t\n']) expect(normalizeValue(type, blank), `${type} ${JSON.stringify(blank)}`).toBeNull();
  });

  it('applyChange clears with null, leaves absent fields alone, and reports changed fields', () => {
    const fields: FieldDef[] = [
      { name: 'a', label: 'a', type: 'text', required: false },
      { name: 'b', label: 'b', type: 'number', required: false },
    ];
    const before = canonicalValues(fields, { a: 'x', b: 1 });
    const after = applyChange(fields, before, { a: null });
    expect(after).toEqual({ b: 1 });
    expect(changedFields(fields, before, after)).toEqual(['a']);
  });
});

describe('checkFieldDefs', () => {
  it('refuses bad names, reserved names, duplicates, unknown types and option-less dropdowns', () => {
    const problems = checkFieldDefs([
      { name: '1bad', label: '', type: 'text', required: false },
      { name: 'status', label: '', type: 'text', required: false },
      { name: 'a', label: '', type: 'text', required: false },
      { name: 'a', label: '', type: 'text', required: false },
      { name: 'b', label: '', type: 'nope' as FieldType, required: false },
      { name: 'c', label: '', type: 'dropdown', required: false },
      { name: 'd', label: '', type: 'autoincrement', required: true },
      { name: '__proto__', label: '', type: 'text', required: false },
      { name: 'constructor', label: '', type: 'text', required: false },
    ]);
    expect(problems.map((p) => p.field)).toEqual(['fields[0].name', 'fields[1].name', 'fields[3].name', 'fields[4].type', 'fields[5].options', 'fields[6].required', 'fields[7].name', 'fields[8].name']);
  });
});

describe('hashing', () => {
  it('canonical JSON sorts keys, so key order never changes a hash', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (values) => {
        const reversed = Object.fromEntries(Object.entries(values).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(values));
        expect(hashItem('open', reversed)).toBe(hashItem('open', values));
      }),
    );
  });

  it('an item hash changes with the status and with any value', () => {
    const h = hashItem('open', { a: 'x' });
    expect(hashItem('closed', { a: 'x' })).not.toBe(h);
    expect(hashItem('open', { a: 'y' })).not.toBe(h);
  });

  it('a schema hash changes with a label, an option, a type or required', () => {
    const base: FieldDef[] = [{ name: 'p', label: 'P', type: 'dropdown', options: ['a'], required: false }];
    const h = hashSchema(base, ['open']);
    const variants: FieldDef[][] = [
      [{ ...base[0]!, label: 'Q' }],
      [{ ...base[0]!, options: ['a', 'b'] }],
      [{ ...base[0]!, type: 'multiselect' }],
      [{ ...base[0]!, required: true }],
    ];
    for (const fields of variants) expect(hashSchema(fields, ['open'])).not.toBe(h);
    expect(hashSchema(base.map((f) => ({ ...f })), ['open'])).toBe(h);
  });
});

describe('inFieldOrder', () => {
  const names = ['title', 'body', 'n', 'tags', 'due'];
  const fields = names.map((name) => ({ name, label: name, type: 'text' as const, required: false }));
  const entry = fc.tuple(fc.constantFrom(...names, 'other', 'constructor'), fc.oneof(fc.string(), fc.constant(null), fc.integer()));

  it('holds exactly when every key is a field, in the fields order, with a value other than null', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 7 }), (entries) => {
        const values = Object.fromEntries(entries);
        const keys = Object.keys(values);
        const positions = keys.map((k) => names.indexOf(k));
        const expected =
          positions.every((p) => p >= 0) && positions.every((p, i) => i === 0 || p > positions[i - 1]!) && Object.values(values).every((v) => v !== null);
        expect(inFieldOrder(fields, values)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses inherited keys and an own __proto__ key', () => {
    expect(inFieldOrder(fields, { title: 'a', due: 'b' })).toBe(true);
    expect(inFieldOrder(fields, Object.create({ title: 'inherited' }) as Record<string, string>)).toBe(false);
    expect(inFieldOrder(fields, JSON.parse('{"__proto__": "x"}') as Record<string, string>)).toBe(false);
  });
});
