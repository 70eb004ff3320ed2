/** The rules of schema editing (DESIGN §13, shared/model/schema-edit.ts): what an edit may do given the live items, by example and by property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../shared/model/fields.js';
import { type FieldEdit, type LiveItem, planFieldEdit } from '../../shared/model/schema-edit.js';
import { hashSchema } from '../../shared/hash.js';

const FIELDS: FieldDef[] = [
  { name: 'title', label: 'Title', type: 'text', required: true },
  { name: 'prio', label: 'Prio', type: 'dropdown', options: ['low', 'mid', 'high'], required: false },
  { name: 'tags', label: 'Tags', type: 'multiselect', options: ['a', 'b', 'c'], required: false },
];

const plan = (edit: FieldEdit, items: LiveItem[] = []) => planFieldEdit(FIELDS, edit, { items: () => items, trackerExists: () => false });

describe('planFieldEdit', () => {
  it('adds a field at the end; refuses a name in use, a bad definition, and a required field items lack', () => {
    expect(plan({ op: 'add', field: { name: 'due', type: 'date' } }).plan.fields.map((f) => f.name)).toEqual(['title', 'prio', 'tags', 'due']);
    expect(plan({ op: 'add', field: { name: 'prio', type: 'text' } }).problems).toEqual([{ field: 'field.name', reason: 'the tracker has a field "prio" already' }]);
    expect(plan({ op: 'add', field: { name: 'x', type: 'nope' } }).problems.map((p) => p.field)).toEqual(['field.type']);
    expect(plan({ op: 'add', field: { name: 'e', type: 'tags', key: true } }).problems.map((p) => p.field)).toEqual(['field.key']);
    expect(plan({ op: 'add', field: { name: 'owner', type: 'text', required: true } }, [{ id: 4, values: { title: 't' } }]).problems[0]).toMatchObject({ field: 'required', reason: expect.stringContaining('item 4 has no value') });
    expect(plan({ op: 'add', field: { name: 'owner', type: 'text', required: true } }).problems).toEqual([]);
  });

  it('edits label, options, required and key; an unchanged field is no change; removing names the field to strip', () => {
    const label = plan({ op: 'edit', name: 'prio', patch: { label: 'Priority' } });
    expect(label.plan.changed).toBe(true);
    expect(hashSchema(label.plan.fields, [])).not.toBe(hashSchema(FIELDS, []));
    expect(plan({ op: 'edit', name: 'prio', patch: { label: 'Prio' } }).plan.changed).toBe(false);
    expect(plan({ op: 'edit', name: 'prio', patch: { key: true } }).plan.reindex).toEqual([{ field: 'prio', key: true }]);
    expect(plan({ op: 'edit', name: 'title', patch: { options: ['x'] } }).problems[0]!.field).toBe('options');
    expect(plan({ op: 'edit', name: 'title', patch: { label: ' ' } }).problems[0]!.field).toBe('label');
    expect(plan({ op: 'edit', name: 'ghost', patch: { label: 'x' } }).problems[0]!.reason).toBe('no field "ghost" (fields: title, prio, tags)');
    expect(plan({ op: 'remove', name: 'tags' }).plan).toMatchObject({ removed: 'tags', fields: [{ name: 'title' }, { name: 'prio' }] });
    expect(plan({ op: 'edit', name: 'title', patch: { key: true } }, [{ id: 1, values: { title: 'x' } }, { id: 2, values: { title: 'x' } }]).problems[0]!.reason).toContain('items 1, 2');
  });

  it('refuses an options list exactly when some live item uses an option it leaves out', () => {
    const value = fc.constantFrom('low', 'mid', 'high');
    const items = fc.array(fc.record({ prio: fc.option(value, { nil: undefined }), tags: fc.subarray(['a', 'b', 'c']) }), { maxLength: 6 });
    fc.assert(
      fc.property(items, fc.subarray(['low', 'mid', 'high'], { minLength: 1 }), fc.subarray(['a', 'b', 'c'], { minLength: 1 }), (rows, prio, tags) => {
        const live = rows.map((r, i) => ({ id: i + 1, values: { title: 't', ...(r.prio ? { prio: r.prio } : {}), ...(r.tags.length > 0 ? { tags: r.tags } : {}) } }));
        const prioRefused = plan({ op: 'edit', name: 'prio', patch: { options: prio } }, live).problems.length > 0;
        expect(prioRefused).toBe(rows.some((r) => r.prio !== undefined && !prio.includes(r.prio)));
        const tagsRefused = plan({ op: 'edit', name: 'tags', patch: { options: tags } }, live).problems.length > 0;
        expect(tagsRefused).toBe(rows.some((r) => r.tags.some((t) => !tags.includes(t))));
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
