/** Key fields (DESIGN §13): the index text, uniqueness, the match of a new item, the push judgement's `matched`, and the empty-base merge of a matched item. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreateChange, UpdateChange } from '../../shared/api/schemas.js';
import { EMPTY_BASE, type ItemState, decideItem } from '../../shared/merge/index.js';
import { type FieldDef, type FieldType, checkFieldDefs } from '../../shared/model/fields.js';
import { type KeyHolders, duplicateKeys, keyEntries, keyText, matchByKeys } from '../../shared/model/keys.js';
import { valuesEqual } from '../../shared/model/values.js';
import { judgeCreate, judgeUpdate } from '../../shared/push/judge.js';

const field = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label: name, type, required: false, ...extra });
const FIELDS: FieldDef[] = [field('email', 'email', { key: true }), field('code', 'number', { key: true }), field('name', 'text'), field('notes', 'textarea'), field('tags', 'tags')];

/** A key index of live items: item id → values. */
function index(items: Record<number, Record<string, unknown>>): KeyHolders {
  return (name, text) =>
    Object.entries(items)
      .filter(([, values]) => keyText(values[name] as never) === text)
      .map(([id]) => Number(id));
}

describe('key fields', () => {
  it('are allowed on single-value types only', () => {
    expect(checkFieldDefs([field('e', 'email', { key: true }), field('n', 'number', { key: true })])).toEqual([]);
    for (const type of ['textarea', 'checkbox', 'multiselect', 'tags', 'files', 'autoincrement'] as const) {
      const problems = checkFieldDefs([field('f', type, { key: true, ...(type === 'multiselect' ? { options: ['a'] } : {}) })]);
      expect(problems.map((p) => p.field), type).toEqual(['fields[0].key']);
    }
  });

  it('index values by text, numbers as JSON, and leave no value out', () => {
    expect(keyText('a@b.org')).toBe('a@b.org');
    expect(keyText(12.5)).toBe('12.5');
    expect(keyText(null)).toBeNull();
    expect(keyEntries(FIELDS, { email: 'a@b.org', name: 'A' })).toEqual([{ field: 'email', text: 'a@b.org' }]);
  });

  it('refuse a value another live item holds, naming the field and that item; the item itself does not count', () => {
    const holders = index({ 3: { email: 'bob@example.org' }, 4: { code: 7 } });
    expect(duplicateKeys(FIELDS, { email: 'bob@example.org' }, null, holders)).toEqual([
      { field: 'values.email', reason: '"bob@example.org" is already the key of item 3 (a key field is unique among live items)' },
    ]);
    expect(duplicateKeys(FIELDS, { email: 'bob@example.org', code: 7 }, 3, holders).map((p) => p.field)).toEqual(['values.code']);
    expect(duplicateKeys(FIELDS, { email: 'x@example.org' }, null, holders)).toEqual([]);
  });

  it('match a new item to the one live item its key values point to, and to no item when they point to several', () => {
    const holders = index({ 3: { email: 'bob@example.org', code: 1 }, 4: { code: 7 } });
    expect(matchByKeys(FIELDS, { email: 'bob@example.org', code: 1 }, holders)).toEqual({ kind: 'one', id: 3, fields: ['email', 'code'] });
    expect(matchByKeys(FIELDS, { email: 'bob@example.org' }, holders)).toMatchObject({ kind: 'one', id: 3 });
    expect(matchByKeys(FIELDS, { email: 'bob@example.org', code: 7 }, holders)).toMatchObject({ kind: 'several' });
    expect(matchByKeys(FIELDS, { name: 'nobody' }, holders)).toEqual({ kind: 'none' });
  });
});

const create = (values: Record<string, unknown>): CreateChange => ({ op: 'create', idempotencyKey: 'k1', values });

describe('the push judgement with keys', () => {
  const holders = index({ 3: { email: 'bob@example.org' }, 4: { code: 7 } });

  it('answers a create holding a live item\'s key values as matched, writing nothing', () => {
    expect(judgeCreate(FIELDS, create({ email: 'bob@example.org', name: 'Bob' }), undefined, holders)).toEqual({ status: 'matched', id: 3 });
    expect(judgeCreate(FIELDS, create({ email: 'new@example.org' }), undefined, holders)).toMatchObject({ status: 'created' });
    expect(judgeCreate(FIELDS, create({ email: 'bob@example.org', code: 7 }), undefined, holders)).toMatchObject({ status: 'rejected', error: expect.stringMatching(/different items \(email: item 3, code: item 4\)/) });
    // Invalid values are refused before any match.
    expect(judgeCreate(FIELDS, create({ email: 'not an address' }), undefined, holders)).toMatchObject({ status: 'rejected' });
  });

  it('refuses an update that takes another item\'s key value, and lets an item keep its own', () => {
    const pusher = { user: 'eddie', trackerName: 'People', admin: false };
    const mine = { id: 3, status: 'open' as const, values: { email: 'bob@example.org' }, version: 1 };
    const take: UpdateChange = { op: 'update', id: 3, baseVersion: 1, fields: { code: { base: null, value: 7 } } };
    expect(judgeUpdate(FIELDS, mine, take, pusher, holders)).toEqual({ status: 'rejected', error: 'fields.code: "7" is already the key of item 4 (a key field is unique among live items)' });
    const keep: UpdateChange = { op: 'update', id: 3, baseVersion: 1, fields: { name: { base: null, value: 'Bob' } } };
    expect(judgeUpdate(FIELDS, mine, keep, pusher, holders)).toMatchObject({ status: 'updated' });
  });
});

describe('a matched item merged from an empty base', () => {
  const decide = (local: ItemState, remote: ItemState) =>
    decideItem({ fields: FIELDS, base: { state: EMPTY_BASE, version: null }, local, remote: { state: remote, version: 4 } });

  it('agrees on what is equal, takes what one side lacks, and leaves what both hold differently to review', () => {
    const d = decide(
      { status: 'open', values: { email: 'bob@example.org', name: 'Bob', tags: ['a'] } },
      { status: 'open', values: { email: 'bob@example.org', name: 'Robert', notes: 'met at FOSDEM', tags: ['b'] } },
    );
    expect(d.outcome).toBe('conflict');
    expect(d.local).toEqual({ status: 'open', values: { email: 'bob@example.org', name: 'Bob', notes: 'met at FOSDEM', tags: ['a', 'b'] } });
    expect(d.conflict).toMatchObject({ kind: 'fields', fields: [{ name: 'name', base: null, local: 'Bob', remote: 'Robert' }] });
    expect(d.base?.values).toEqual({ email: 'bob@example.org', notes: 'met at FOSDEM', tags: ['b'] });
  });

  it('makes a status both sides set differently a conflict too', () => {
    const d = decide({ status: 'closed', values: { email: 'a@b.org' } }, { status: 'open', values: { email: 'a@b.org' } });
    expect(d.conflict).toMatchObject({ fields: [{ name: 'status', base: null, local: 'closed', remote: 'open' }] });
    expect(d.base?.status).toBeNull();
  });

  it('never drops a value either side holds: each field ends as local, remote, a merge of both, or a conflict keeping local', () => {
    const value = fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined });
    const side = fc.record({ name: value, notes: value }).map((v) => ({ status: 'open' as const, values: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as Record<string, string> }));
    fc.assert(
      fc.property(side, side, (local, remote) => {
        const d = decide(local, remote);
        const conflicting = new Set(d.conflict?.kind === 'fields' ? d.conflict.fields.map((f) => f.name) : []);
        for (const name of ['name', 'notes']) {
          const [l, r, out] = [local.values[name], remote.values[name], d.local!.values[name]];
          if (conflicting.has(name)) expect(out).toBe(l);
          else if (l === undefined) expect(out).toBe(r);
          else if (r === undefined) expect(out).toBe(l);
          else expect(valuesEqual('text', l, r) || name === 'notes').toBe(true);
        }
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});
