/** The push judgement (DESIGN §5, §9): every branch the server answers, and the properties of field-level concurrency. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, CreateChange, DeleteChange, UpdateChange } from '../../shared/api/schemas.js';
import { type FieldDef, type FieldType, STATUSES } from '../../shared/model/fields.js';
import { checkChange, checkNewItem } from '../../shared/model/items.js';
import { type Values, normalizeValue, valuesEqual } from '../../shared/model/values.js';
import { type CurrentItem, type Pusher, answerOf, judgeCreate, judgeDelete, judgeUpdate } from '../../shared/push/judge.js';

const field = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label: name, type, required: false, ...extra });
const FIELDS: FieldDef[] = [
  field('title', 'text', { required: true }),
  field('estimate', 'number'),
  field('done', 'checkbox'),
  field('priority', 'dropdown', { options: ['low', 'medium', 'high'] }),
  field('platforms', 'multiselect', { options: ['linux', 'mac', 'windows'] }),
  field('due', 'date'),
  field('seen', 'datetime'),
  field('tags', 'tags'),
  field('where', 'location'),
  field('number', 'autoincrement'),
];
const ADMIN: Pusher = { user: 'alice', trackerName: 'Bugs', admin: true };
const EDITOR: Pusher = { user: 'eddie', trackerName: 'Bugs', admin: false };

const current = (values: Values, more: Partial<CurrentItem> = {}): CurrentItem => ({ id: 7, status: 'open', values, version: 2, ...more });
const create = (values: Record<string, unknown>, status?: string): CreateChange => ({ op: 'create', idempotencyKey: 'k1', values, ...(status ? { status: status as 'open' } : {}) });
const update = (fields: UpdateChange['fields'], overwrite?: boolean): UpdateChange => ({ op: 'update', id: 7, baseVersion: 1, fields, ...(overwrite ? { overwrite } : {}) });
const remove = (baseVersion: number, overwrite?: boolean): DeleteChange => ({ op: 'delete', id: 7, baseVersion, ...(overwrite ? { overwrite } : {}) });

describe('judgeCreate', () => {
  it('gives the canonical state to insert, status open by default, autoincrement left to the store', () => {
    const j = judgeCreate(FIELDS, create({ title: 'Full', tags: ['b', ' a ', 'b'], platforms: ['mac', 'linux'], seen: '2024-05-01 10:00', where: ' 48.85 , 2.35 ', done: false }), undefined);
    expect(j).toEqual({
      status: 'created',
      write: { status: 'open', values: { title: 'Full', done: false, platforms: ['linux', 'mac'], seen: '2024-05-01T10:00:00.000Z', tags: ['a', 'b'], where: '48.85,2.35' } },
    });
    expect(judgeCreate(FIELDS, create({ title: 'p' }, 'pending'), undefined)).toEqual({ status: 'created', write: { status: 'pending', values: { title: 'p' } } });
  });

  it('answers a known key as created again without a second item, whatever the change now holds', () => {
    expect(judgeCreate(FIELDS, create({ estimate: 'ten' }), current({ title: 'first' }))).toEqual({ status: 'created', write: null });
  });

  it('rejects with every problem as `values.name: reason`, joined by "; "', () => {
    expect(judgeCreate(FIELDS, create({ title: 'x', estimate: 'ten' }), undefined)).toEqual({ status: 'rejected', error: 'values.estimate: expected a finite number, got the string "ten"' });
    expect(judgeCreate(FIELDS, create({ number: 3, ghost: 1 }, 'archived'), undefined)).toEqual({
      status: 'rejected',
      error:
        'status: expected one of open, pending, closed, got the string "archived"; values.number: assigned by the server; it cannot be set; values.ghost: unknown field "ghost"; values.title: required',
    });
  });
});

const item = current({ title: 'c', priority: 'medium', estimate: 1, tags: ['a', 'b'], seen: '2024-01-01T00:00:00.000Z' });

describe('judgeUpdate', () => {
  it('rejects an unknown item', () => {
    expect(judgeUpdate(FIELDS, undefined, { ...update({ title: { base: 'a', value: 'b' } }), id: 987654 }, ADMIN)).toEqual({ status: 'rejected', error: 'unknown item 987654' });
  });

  it('answers an update of a tombstone with a conflict naming all its fields, before any check', () => {
    const j = judgeUpdate(FIELDS, current({}, { deleted: true }), update({ title: { base: 'gone', value: 'back' }, ghost: { base: null, value: 1 }, status: { base: 'open', value: 'x' } }), ADMIN);
    expect(j).toEqual({ status: 'conflict', conflicts: ['title', 'ghost', 'status'] });
  });

  it('writes a field whose base matches, keeping the other current values (field-level)', () => {
    expect(judgeUpdate(FIELDS, item, update({ priority: { base: 'medium', value: 'high' } }), EDITOR)).toEqual({
      status: 'updated',
      write: { status: 'open', values: { ...item.values, priority: 'high' } },
    });
  });

  it('answers a stale base with a conflict naming only the conflicting fields, writing nothing', () => {
    const j = judgeUpdate(FIELDS, item, update({ priority: { base: 'low', value: 'high' }, title: { base: 'c', value: 'c2' }, estimate: { base: 1, value: 5 } }), ADMIN);
    expect(j).toEqual({ status: 'conflict', conflicts: ['priority'] });
  });

  it('is no conflict and no change when the item already holds the pushed value, in any spelling', () => {
    expect(judgeUpdate(FIELDS, item, update({ priority: { base: 'low', value: 'medium' } }), EDITOR)).toEqual({ status: 'updated', write: null });
    const j = judgeUpdate(FIELDS, item, update({ tags: { base: ['b', 'a'], value: ['b', ' a', 'a'] }, seen: { base: '2024-01-01 00:00:00', value: '2024-01-01T01:00:00+01:00' } }), EDITOR);
    expect(j).toEqual({ status: 'updated', write: null });
  });

  it('clears a field with null (or another empty spelling), and refuses to clear a required one', () => {
    expect(judgeUpdate(FIELDS, item, update({ priority: { base: 'medium', value: null }, tags: { base: ['a', 'b'], value: [] } }), EDITOR)).toEqual({
      status: 'updated',
      write: { status: 'open', values: { title: 'c', estimate: 1, seen: '2024-01-01T00:00:00.000Z' } },
    });
    expect(judgeUpdate(FIELDS, item, update({ title: { base: 'c', value: null } }), EDITOR)).toEqual({ status: 'rejected', error: 'fields.title: required; it cannot be empty' });
  });

});

describe('judgeUpdate: status, checks, overwrite', () => {
  it('treats status as the pseudo-field of fields, conflicts and checks included', () => {
    expect(judgeUpdate(FIELDS, item, update({ status: { base: 'open', value: 'closed' } }), EDITOR)).toEqual({ status: 'updated', write: { status: 'closed', values: item.values } });
    expect(judgeUpdate(FIELDS, { ...item, status: 'closed' }, update({ status: { base: 'open', value: 'pending' } }), EDITOR)).toEqual({ status: 'conflict', conflicts: ['status'] });
    const bad = judgeUpdate(FIELDS, item, update({ status: { base: 'open', value: 'archived' }, estimate: { base: 1, value: 'ten' } }), EDITOR);
    expect(bad).toEqual({ status: 'rejected', error: 'fields.status.value: expected one of open, pending, closed, got the string "archived"; fields.estimate: expected a finite number, got the string "ten"' });
  });

  it('rejects unknown fields, bad values, unknown options and server-assigned fields, naming each', () => {
    const error = (fields: UpdateChange['fields']) => (judgeUpdate(FIELDS, item, update(fields), ADMIN) as { error?: string }).error;
    expect(error({ ghost: { base: null, value: 1 } })).toBe('fields.ghost: unknown field "ghost"');
    expect(error({ done: { base: null, value: 'yes' } })).toBe('fields.done: expected true or false, got the string "yes"');
    expect(error({ priority: { base: null, value: 'urgent' } })).toBe('fields.priority: "urgent" is not one of the options (low, medium, high)');
    expect(error({ platforms: { base: null, value: ['beos'] } })).toBe('fields.platforms: "beos" is not one of the options (linux, mac, windows)');
    expect(error({ number: { base: null, value: 99 } })).toBe('fields.number: assigned by the server; it cannot be set');
  });

  it('overwrite: forced for an admin, keeping the other current values; asked by an editor, the conflict says why', () => {
    const stale = update({ priority: { base: 'low', value: 'high' } }, true);
    expect(judgeUpdate(FIELDS, item, stale, ADMIN)).toEqual({ status: 'updated', write: { status: 'open', values: { ...item.values, priority: 'high' } } });
    expect(judgeUpdate(FIELDS, item, stale, EDITOR)).toEqual({
      status: 'conflict',
      conflicts: ['priority'],
      error: 'user "eddie" needs the admin right on tracker "Bugs" to overwrite changes',
    });
    expect(judgeUpdate(FIELDS, item, update({ priority: { base: 'medium', value: 'high' } }, true), EDITOR)).toMatchObject({ status: 'updated' });
    expect(judgeUpdate(FIELDS, item, { ...stale, overwrite: false }, ADMIN)).toEqual({ status: 'conflict', conflicts: ['priority'] });
  });
});

describe('judgeDelete', () => {
  it('tombstones an unchanged item, forces a changed one only with overwrite, and conflicts otherwise', () => {
    expect(judgeDelete(item, remove(2), ADMIN)).toEqual({ status: 'deleted', write: true });
    expect(judgeDelete(item, remove(1, true), ADMIN)).toEqual({ status: 'deleted', write: true });
    expect(judgeDelete(item, remove(1), ADMIN)).toEqual({ status: 'conflict', conflicts: [], error: 'item 7 changed since version 1 (now 2)' });
  });

  it('needs the admin right; an unknown item is unknown first; a tombstone is deleted again without a write', () => {
    expect(judgeDelete(item, remove(2, true), EDITOR)).toEqual({ status: 'rejected', error: 'user "eddie" needs the admin right on tracker "Bugs" to delete items' });
    expect(judgeDelete(undefined, remove(2), EDITOR)).toEqual({ status: 'rejected', error: 'unknown item 7' });
    expect(judgeDelete({ ...item, deleted: true, values: {} }, remove(1), ADMIN)).toEqual({ status: 'deleted', write: false });
    expect(judgeDelete({ ...item, deleted: true }, remove(1), EDITOR)).toMatchObject({ status: 'rejected' });
  });
});

describe('answerOf', () => {
  const wire: Change = { id: 7, seq: 40, status: 'open', version: 2, values: { title: 'd' } };
  it('builds the answers the server sends', () => {
    expect(answerOf({ status: 'rejected', error: 'bad' }, create({}), undefined)).toEqual({ status: 'rejected', error: 'bad' });
    expect(answerOf({ status: 'rejected', error: 'bad' }, remove(1), undefined)).toEqual({ status: 'rejected', id: 7, error: 'bad' });
    expect(answerOf({ status: 'conflict', conflicts: ['a'] }, update({}), wire)).toEqual({ status: 'conflict', id: 7, version: 2, item: wire, conflicts: ['a'] });
    expect(answerOf({ status: 'conflict', conflicts: [], error: 'e' }, remove(1), wire)).toEqual({ status: 'conflict', id: 7, version: 2, item: wire, conflicts: [], error: 'e' });
    expect(answerOf({ status: 'updated', write: null }, update({}), wire)).toEqual({ status: 'updated', id: 7, version: 2, item: wire });
  });
});

describe('shared item checks', () => {
  it('checkNewItem prefixes problems by `at`; checkChange leaves an undefined status alone', () => {
    expect(checkNewItem(FIELDS, { values: {} }, 'items[2].').problems).toEqual([{ field: 'items[2].values.title', reason: 'required' }]);
    expect(checkNewItem(FIELDS, null as never).problems).toEqual([{ field: 'item', reason: 'must be an object' }]);
    expect(checkChange(FIELDS, { status: undefined, values: { estimate: '' } })).toEqual({ values: { estimate: null }, problems: [] });
    expect(checkChange(FIELDS, { status: 'x' }).problems).toEqual([{ field: 'status', reason: 'expected one of open, pending, closed, got the string "x"' }]);
  });
});

// --- properties: small pools per field, with several spellings of one value, so that sides often agree ---

const POOL: Record<string, unknown[]> = {
  estimate: [null, 0, 1, -0],
  done: [null, true, false],
  priority: [null, 'low', 'high'],
  platforms: [null, [], ['linux'], ['mac', 'linux'], ['linux', 'mac']],
  due: [null, '2024-02-29', ' 2024-02-29 ', ''],
  seen: [null, '2024-01-01T00:00:00.000Z', '2024-01-01 00:00', '2024-01-01T01:00:00+01:00'],
  tags: [null, ['a'], [' a ', 'b'], ['b', 'a']],
  where: [null, '0,0', ' 0 , 0 ', '45.5,7.25'],
};
/** Values of the wrong type for each field: refused, never normalised into something else. */
const WRONG: Record<string, unknown[]> = {
  estimate: ['ten', true],
  done: ['yes', 1],
  priority: ['urgent', 3],
  platforms: [['beos'], 'linux'],
  due: ['2024-02-30', 5],
  seen: ['yesterday', 12],
  tags: ['a', [1]],
  where: ['north', '91,0'],
};
const NAMES = Object.keys(POOL);
const typeOf = (name: string): FieldType => FIELDS.find((f) => f.name === name)!.type;
const eq = (name: string, a: unknown, b: unknown) => (name === 'status' ? a === b : valuesEqual(typeOf(name), a, b));

const arbCurrent = fc.record({ status: fc.constantFrom(...STATUSES), values: fc.record(Object.fromEntries(NAMES.map((n) => [n, fc.constantFrom(...POOL[n]!)]))) }).map(
  ({ status, values }): CurrentItem => {
    const canonical: Values = { title: 't' };
    for (const n of NAMES) if (normalizeValue(typeOf(n), values[n]) !== null) canonical[n] = normalizeValue(typeOf(n), values[n]);
    return current(canonical, { status });
  },
);
const poolOf = (name: string): unknown[] => (name === 'status' ? [...STATUSES] : POOL[name]!);
const pooled = (name: string) => fc.constantFrom(...poolOf(name));
const arbNames = fc.subarray([...NAMES, 'status'], { minLength: 1 });
const heldOf = (item: CurrentItem, name: string) => (name === 'status' ? item.status : (item.values[name] ?? null));
/** A valid update of the given fields: each base and value from the pools. */
const arbUpdate = (names: string[]) =>
  fc.tuple(fc.tuple(...names.map((n) => fc.record({ base: pooled(n), value: pooled(n) }))), fc.boolean()).map(([changes, overwrite]) =>
    update(Object.fromEntries(names.map((n, i) => [n, changes[i]!])), overwrite),
  );
const arbPusher = fc.constantFrom(ADMIN, EDITOR);

describe('properties: conflicts', () => {
  it('(a) a change whose every base equals the current value (in any spelling) is never a conflict', () => {
    const arb = fc.tuple(arbCurrent, arbNames, arbPusher).chain(([item, names, pusher]) => {
      const sameBase = (n: string) => fc.record({ base: fc.constantFrom(...poolOf(n).filter((b) => eq(n, b, heldOf(item, n)))), value: pooled(n) });
      const change = fc.tuple(fc.tuple(...names.map(sameBase)), fc.boolean()).map(([fields, overwrite]) => update(Object.fromEntries(names.map((n, i) => [n, fields[i]!])), overwrite));
      return fc.tuple(fc.constant(item), change, fc.constant(pusher));
    });
    fc.assert(
      fc.property(arb, ([item, change, pusher]) => {
        expect(judgeUpdate(FIELDS, item, change, pusher).status).toBe('updated');
      }),
    );
  });

  it('(b) a field changed on both sides is listed, and nothing is written unless overwrite and admin', () => {
    const arb = fc.tuple(arbCurrent, arbNames, arbPusher).chain(([item, names, pusher]) => fc.tuple(fc.constant(item), arbUpdate(names), fc.constant(pusher)));
    fc.assert(
      fc.property(arb, ([item, change, pusher]) => {
        const j = judgeUpdate(FIELDS, item, change, pusher);
        const both = Object.entries(change.fields).filter(([n, { base, value }]) => !eq(n, heldOf(item, n), base) && !eq(n, heldOf(item, n), value)).map(([n]) => n);
        const force = change.overwrite === true && pusher.admin;
        if (both.length > 0 && !force) expect(j).toEqual({ status: 'conflict', conflicts: both, ...(change.overwrite ? { error: expect.any(String) } : {}) });
        else {
          expect(j.status).toBe('updated');
          // Whatever is written holds every pushed value, the forced ones included.
          const after = j.status === 'updated' && j.write ? { ...item, ...j.write } : item;
          for (const [n, { value }] of Object.entries(change.fields)) expect(eq(n, heldOf(after, n), value)).toBe(true);
        }
      }),
    );
  });

});

describe('properties: re-sends and wrong types', () => {
  it('(c) judged against the state it writes, the same update is updated with nothing to write (a re-send)', () => {
    const arb = fc.tuple(arbCurrent, arbNames, arbPusher).chain(([item, names, pusher]) => fc.tuple(fc.constant(item), arbUpdate(names), fc.constant(pusher)));
    fc.assert(
      fc.property(arb, ([item, change, pusher]) => {
        const j = judgeUpdate(FIELDS, item, change, pusher);
        fc.pre(j.status === 'updated');
        const after = j.status === 'updated' && j.write ? { ...item, ...j.write, version: item.version + 1 } : item;
        expect(judgeUpdate(FIELDS, after, change, pusher)).toEqual({ status: 'updated', write: null });
      }),
    );
  });

  it('(d) a value of a wrong type is rejected, naming the field, for an update and a create', () => {
    const arb = fc.tuple(arbCurrent, fc.constantFrom(...NAMES), arbPusher).chain(([item, name, pusher]) =>
      fc.tuple(fc.constant(item), fc.constant(name), fc.constantFrom(...WRONG[name]!), fc.constantFrom(...POOL[name]!), fc.constant(pusher)),
    );
    fc.assert(
      fc.property(arb, ([item, name, wrong, base, pusher]) => {
        const j = judgeUpdate(FIELDS, item, update({ [name]: { base, value: wrong }, title: { base: 't', value: 'u' } }, true), pusher);
        expect(j).toEqual({ status: 'rejected', error: expect.stringMatching(new RegExp(`^fields\\.${name}: `)) });
        expect(judgeCreate(FIELDS, create({ title: 't', [name]: wrong }), undefined)).toEqual({ status: 'rejected', error: expect.stringMatching(new RegExp(`^values\\.${name}: `)) });
      }),
    );
  });

  it('a delete is a conflict exactly when an admin, without overwrite, deletes an item changed since its base', () => {
    fc.assert(
      fc.property(arbCurrent, fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.boolean(), arbPusher, (item, deleted, baseVersion, overwrite, pusher) => {
        const j = judgeDelete({ ...item, deleted }, remove(baseVersion, overwrite), pusher);
        const conflict = pusher.admin && !deleted && baseVersion !== item.version && !overwrite;
        expect(j.status).toBe(!pusher.admin ? 'rejected' : conflict ? 'conflict' : 'deleted');
        if (j.status === 'deleted') expect(j.write).toBe(!deleted);
      }),
    );
  });
});
