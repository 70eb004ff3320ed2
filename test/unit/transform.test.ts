import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_TYPES, type FieldDef, type FieldType } from '../../shared/model/fields.js';
import { diffSchema, isEmptyDiff, isPushable, planClone, pushableFieldNames, remoteValuesToLocal } from '../../shared/model/transform.js';

const field = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label: name.toUpperCase(), type, required: false, ...extra });

const everyType: FieldDef[] = FIELD_TYPES.map((type) =>
  field(`f_${type}`, type, type === 'dropdown' || type === 'multiselect' ? { options: ['a', 'b'] } : type === 'itemlink' ? { linkedTracker: 7 } : {}),
);

describe('planClone', () => {
  it('keeps, transforms and skips each field type as the design table says', () => {
    const { mappings } = planClone(everyType, { users: ['bob', 'alice'] });
    const byType = Object.fromEntries(mappings.map((m) => [m.remoteType, m]));
    for (const type of ['text', 'textarea', 'number', 'checkbox', 'dropdown', 'multiselect', 'date', 'datetime', 'email', 'url', 'tags', 'location', 'files'] as const) {
      expect(byType[type]).toMatchObject({ action: 'kept', localType: type });
    }
    expect(byType.user).toMatchObject({ action: 'transformed', localType: 'dropdown' });
    expect(byType.itemlink).toMatchObject({ action: 'transformed', localType: 'text' });
    for (const type of ['autoincrement', 'page'] as const) {
      expect(byType[type]?.action).toBe('skipped');
      expect(byType[type]?.reason).toBeTruthy();
    }
  });

  it("turns a user field into a dropdown of the remote's sorted, unique user names", () => {
    const { localFields } = planClone([field('owner', 'user', { required: true })], { users: ['carol', 'alice', 'carol'] });
    expect(localFields).toEqual([{ name: 'owner', label: 'OWNER', type: 'dropdown', options: ['alice', 'carol'], required: true }]);
  });

  it('turns a user field into text when the remote refused the user list', () => {
    const { mappings, localFields } = planClone([field('owner', 'user')], { users: null });
    expect(mappings[0]).toMatchObject({ action: 'transformed', localType: 'text' });
    expect(mappings[0]?.reason).toMatch(/refused/);
    expect(localFields[0]?.type).toBe('text');
  });

  it('keeps the remote order and permanent names of the fields it keeps, and copies options', () => {
    const { localFields } = planClone(everyType, { users: ['u'] });
    expect(localFields.map((f) => f.name)).toEqual(everyType.filter((f) => !['autoincrement', 'page'].includes(f.type)).map((f) => f.name));
    expect(localFields.find((f) => f.type === 'dropdown')?.options).toEqual(['a', 'b']);
  });
});

describe('remoteValuesToLocal', () => {
  const remoteFields = [field('title', 'text'), field('link', 'itemlink', { linkedTracker: 3 }), field('n', 'autoincrement'), field('tags', 'tags')];
  const { mappings } = planClone(remoteFields, { users: null });

  it("replaces an itemlink by the linked item's title, and by #id when the title is unknown", () => {
    const titles = new Map([[5, 'Linked five']]);
    const titleOf = (tracker: number | undefined, id: number) => (tracker === 3 ? titles.get(id) : undefined);
    expect(remoteValuesToLocal(mappings, remoteFields, { title: 'x', link: 5, n: 9 }, titleOf)).toEqual({ title: 'x', link: 'Linked five' });
    expect(remoteValuesToLocal(mappings, remoteFields, { link: 6 }, titleOf)).toEqual({ link: '#6' });
  });

  it('drops skipped fields and normalises the values it keeps', () => {
    expect(remoteValuesToLocal(mappings, remoteFields, { n: 1, tags: ['b', ' a', 'b'] }, () => undefined)).toEqual({ tags: ['a', 'b'] });
  });
});

describe('pushable fields', () => {
  it('sends back kept fields (attachments too), user fields and status, never transformed itemlinks or skipped fields', () => {
    const { mappings } = planClone(everyType, { users: ['u'] });
    const names = pushableFieldNames(mappings);
    expect(names.has('status')).toBe(true);
    expect(names.has('f_user')).toBe(true);
    expect(names.has('f_text')).toBe(true);
    expect(names.has('f_itemlink')).toBe(false);
    expect(names.has('f_files')).toBe(true);
    expect(names.has('f_page')).toBe(false);
    expect(isPushable(undefined)).toBe(false);
  });
});

describe('diffSchema', () => {
  it('names added, removed, retyped and changed fields', () => {
    const before = [field('a', 'text'), field('b', 'number'), field('c', 'dropdown', { options: ['x'] }), field('d', 'text')];
    const after = [field('a', 'text'), field('b', 'text'), field('c', 'dropdown', { options: ['x', 'y'] }), field('e', 'date')];
    expect(diffSchema(before, after)).toEqual({
      added: ['e'],
      removed: ['d'],
      retyped: [{ name: 'b', from: 'number', to: 'text' }],
      changed: ['c'],
    });
  });

  it('finds nothing between a schema and itself, whatever the schema', () => {
    const arbField = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
      label: fc.string(),
      type: fc.constantFrom(...FIELD_TYPES),
      required: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbField, { selector: (f) => f.name, maxLength: 12 }), (fields) => {
        expect(isEmptyDiff(diffSchema(fields, fields.map((f) => ({ ...f }))))).toBe(true);
      }),
    );
  });
});
