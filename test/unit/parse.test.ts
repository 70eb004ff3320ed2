/** The one text → value parser (`--set`, `resolve --value`, the TUI editor) and its inverse: examples per type and a round-trip property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FieldDef, type FieldType, FIELD_TYPES } from '../../shared/model/fields.js';
import { fieldText, parseFieldText } from '../../shared/model/parse.js';
import { type FieldValue, normalizeValue, validateValue, valuesEqual } from '../../shared/model/values.js';

const field = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name: `f_${type}`, label: type, type, required: false, ...extra });

function parsed(type: FieldType, text: string): FieldValue {
  const result = parseFieldText(field(type), text);
  if (!result.ok) throw new Error(`${type} refused ${JSON.stringify(text)}: ${result.reason}`);
  return result.value;
}

function refusal(type: FieldType, text: string): string {
  const result = parseFieldText(field(type), text);
  if (result.ok) throw new Error(`${type} took ${JSON.stringify(text)} as ${JSON.stringify(result.value)}`);
  return result.reason;
}

describe('parseFieldText', () => {
  it('clears every field with empty text, and every trimmed type with blank text', () => {
    for (const type of FIELD_TYPES) expect(parsed(type, ''), type).toBeNull();
    for (const type of FIELD_TYPES.filter((t) => t !== 'text' && t !== 'textarea')) expect(parsed(type, ' \t\n'), type).toBeNull();
  });

  it('keeps text and textarea exactly, spaces and line breaks included', () => {
    expect(parsed('text', ' Hello, world ')).toBe(' Hello, world ');
    expect(parsed('text', '  ')).toBe('  ');
    expect(parsed('textarea', '  line one\n line two \n')).toBe('  line one\n line two \n');
  });

  it('trims the other string types and leaves options and formats to validation', () => {
    expect(parsed('dropdown', ' high ')).toBe('high');
    expect(parsed('dropdown', 'urgent')).toBe('urgent');
    expect(parsed('email', ' a@b.org ')).toBe('a@b.org');
    expect(parsed('date', 'tomorrow')).toBe('tomorrow');
    for (const type of ['url', 'datetime', 'location', 'user', 'page'] as const) expect(parsed(type, ' x y ')).toBe('x y');
  });

  it('reads decimal numbers only', () => {
    const good: [string, number][] = [['4.5', 4.5], [' 42 ', 42], ['+5', 5], ['-1.5e3', -1500], ['.5', 0.5], ['5.', 5], ['1E-7', 1e-7], ['-0', 0]];
    for (const [text, value] of good) expect(parsed('number', text), text).toBe(value);
    for (const text of ['ten', '0x10', '0b11', 'Infinity', 'NaN', '1e999', '1_000', '12abc', '1,5', '--1']) expect(refusal('number', text), text).toBe('expected a finite number');
  });

  it('reads an item id as a positive integer', () => {
    expect(parsed('itemlink', ' 7 ')).toBe(7);
    expect(parsed('itemlink', String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const text of ['0', '-1', '1.5', '1e3', '#3', '9007199254740992', 'abc']) expect(refusal('itemlink', text), text).toMatch(/positive integer/);
    expect(parsed('autoincrement', '12')).toBe(12);
  });

  it('reads every spelling of a checkbox, in any case', () => {
    for (const text of ['true', 'YES', 'y', '1', 'On']) expect(parsed('checkbox', text), text).toBe(true);
    for (const text of ['false', 'No', 'N', '0', 'OFF']) expect(parsed('checkbox', text), text).toBe(false);
    for (const text of ['maybe', 'ja', '2']) expect(refusal('checkbox', text), text).toMatch(/true or false/);
  });

  it('reads a list as comma-separated words or a JSON array of strings', () => {
    for (const type of ['multiselect', 'tags'] as const) {
      expect(parsed(type, 'a, b,,c ')).toEqual(['a', 'b', 'c']);
      expect(parsed(type, ' ["x, y", " z"] ')).toEqual(['x, y', ' z']);
      expect(parsed(type, 'single')).toEqual(['single']);
      expect(parsed(type, ' , ,')).toBeNull();
      expect(parsed(type, '[]')).toBeNull();
      expect(refusal(type, '[1,2]')).toBe('expected a JSON array of strings');
      expect(refusal(type, '[oops')).toMatch(/JSON array of strings or comma-separated/);
    }
  });
});

describe('parseFieldText of attachments', () => {
  it('reads only their JSON form (contents are attached by path) and clears on empty text', () => {
    const ref = { name: 'a.png', size: 3, type: 'image/png', sha256: 'a'.repeat(64) };
    expect(parsed('files', JSON.stringify([ref]))).toEqual([ref]);
    expect(parsed('files', '[]')).toBeNull();
    expect(parsed('files', ' ')).toBeNull();
    for (const text of ['a.png', '["a.png"]', '[oops', '{"name":"a"}']) expect(refusal('files', text), text).toMatch(/item attach/);
  });
});

describe('fieldText', () => {
  it('writes what a user would type', () => {
    const f = field('tags');
    expect(fieldText(f, null)).toBe('');
    expect(fieldText(f, [])).toBe('');
    expect(fieldText(f, ['a', 'b'])).toBe('a, b');
    expect(fieldText(f, ['x, y', 'z'])).toBe('["x, y","z"]');
    expect(fieldText(f, [' a'])).toBe('[" a"]');
    expect(fieldText(f, ['[draft]'])).toBe('["[draft]"]');
    expect(fieldText(field('checkbox'), true)).toBe('true');
    expect(fieldText(field('checkbox'), false)).toBe('false');
    expect(fieldText(field('number'), 1e21)).toBe('1e+21');
    expect(fieldText(field('textarea'), ' a\nb ')).toBe(' a\nb ');
  });
});

// Strings rich in what the parser treats specially: spaces, line breaks, commas, brackets, quotes.
const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', '1', '.', '-', ' ', '\t', '\n', ',', '[', ']', '"', '\\'), minLength: 1, maxLength: 12 });
const anyText = fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 30 }));
// Trimmed types cannot carry surrounding spaces through typed text: their canonical values are generated trimmed.
const trimmed = anyText.map((s) => s.trim()).filter((s) => s !== '');
const oneLine = trimmed.filter((s) => !/[\r\n]/.test(s));
const dates = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
const options = fc.uniqueArray(trimmed, { minLength: 1, maxLength: 5 });
const positive = fc.maxSafeNat().filter((n) => n > 0);

interface Case {
  field: FieldDef;
  raw: unknown;
}
const of = (type: FieldType, raw: fc.Arbitrary<unknown>, extra: Partial<FieldDef> = {}): fc.Arbitrary<Case> => raw.map((value) => ({ field: field(type, extra), raw: value }));

/** Raw candidates per type; validateValue turns them into valid canonical values (or drops them). */
const RAW: Record<FieldType, fc.Arbitrary<Case>> = {
  text: of('text', anyText),
  textarea: of('textarea', anyText),
  number: of('number', fc.double({ noNaN: true, noDefaultInfinity: true })),
  checkbox: of('checkbox', fc.boolean()),
  dropdown: options.chain((opts) => of('dropdown', fc.constantFrom(...opts), { options: opts })),
  multiselect: options.chain((opts) => of('multiselect', fc.subarray(opts, { minLength: 1 }), { options: opts })),
  date: of('date', dates.map((d) => d.toISOString().slice(0, 10))),
  datetime: of('datetime', dates.map((d) => d.toISOString())),
  email: of('email', fc.emailAddress()),
  url: of('url', fc.webUrl({ withQueryParameters: true, withFragments: true })),
  tags: of('tags', fc.array(anyText, { minLength: 1, maxLength: 5 })),
  files: of(
    'files',
    fc.array(
      fc.record({ name: oneLine.filter((s) => !/[/\\]/.test(s) && s !== '.' && s !== '..'), size: fc.nat(), type: fc.constantFrom('image/png', 'text/plain'), sha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  ),
  location: of(
    'location',
    fc.tuple(fc.integer({ min: -90_000, max: 90_000 }), fc.integer({ min: -180_000, max: 180_000 }), fc.option(fc.integer({ min: 0, max: 20 }))).map(
      ([lat, lon, zoom]) => `${lat / 1000},${lon / 1000}${zoom === null ? '' : `,${zoom}`}`,
    ),
  ),
  user: of('user', oneLine.filter((s) => s.length <= 200)),
  page: of('page', oneLine.filter((s) => s.length <= 200)),
  itemlink: of('itemlink', positive, { linkedTracker: 1 }),
  autoincrement: of('autoincrement', positive),
};

/** A valid canonical value: what validateValue gives (autoincrement values come from the server, which validation refuses to take). */
function canonical({ field: f, raw }: Case): FieldValue {
  if (f.type === 'autoincrement') return normalizeValue(f.type, raw);
  const check = validateValue(f, raw);
  return check.ok ? check.value : null;
}

describe('parseFieldText(field, fieldText(field, v))', () => {
  it('gives back v for every field type and every valid canonical value', () => {
    const cases = fc
      .constantFrom(...FIELD_TYPES)
      .chain((type) => RAW[type])
      .map((c) => ({ field: c.field, value: canonical(c) }))
      .filter((c) => c.value !== null);
    fc.assert(
      fc.property(cases, ({ field: f, value }) => {
        const text = fieldText(f, value);
        const back = parseFieldText(f, text);
        expect(back, `${f.type} ${JSON.stringify(value)} as ${JSON.stringify(text)}`).toMatchObject({ ok: true });
        if (back.ok) expect(valuesEqual(f.type, back.value, value), `${f.type} ${JSON.stringify(value)} as ${JSON.stringify(text)} -> ${JSON.stringify(back.value)}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
