/** The clone wizard's filter steps and the left conflict in the review, as pure state (no terminal). */
import { describe, expect, it } from 'vitest';
import { buildFilter, checkFilter, filterFields, filterOptions } from '../../client/tui/state/clone-filter.js';
import { type ClonePreview, choiceCount, cloneWizardReducer, initialCloneWizard } from '../../client/tui/state/clone-wizard.js';
import { type ConflictEntry, itemChoices } from '../../client/tui/state/conflict-review.js';
import type { FieldDef } from '../../shared/model/fields.js';

const FIELDS: FieldDef[] = [
  { name: 'title', label: 'Title', type: 'text', required: true },
  { name: 'n', label: 'n', type: 'number', required: false },
  { name: 'prio', label: 'Prio', type: 'dropdown', options: ['low', 'high'], required: false },
  { name: 'tags', label: 'Tags', type: 'tags', required: false },
];
const preview: ClonePreview = { remote: 'origin', tracker: { id: 1, name: 'bugs', description: '' }, fields: [], remoteFields: FIELDS, nameTaken: false };

describe('clone filter helpers', () => {
  it('checks a typed selector strictly; blank is no filter', () => {
    expect(checkFilter(FIELDS, '  ')).toEqual({ ok: true, where: null });
    expect(checkFilter(FIELDS, '{"status": "open", "n": {"$gte": 2}}')).toEqual({ ok: true, where: '{"status":"open","n":{"$gte":2}}' });
    expect(checkFilter(FIELDS, '{"prio": "mid"}')).toEqual({ ok: false, problems: [{ field: 'where.prio', reason: expect.stringMatching(/not one of the options/) }] });
  });

  it('builds a condition from a field and its values, read by the field type, added to the selector so far', () => {
    expect(filterFields(FIELDS).map((f) => f.name)).toEqual(['status', 'title', 'n', 'prio', 'tags']);
    expect(filterOptions(filterFields(FIELDS)[0]!)).toEqual(['open', 'pending', 'closed']);
    expect(filterOptions(FIELDS[1]!)).toBeNull();
    const n = buildFilter(FIELDS, null, FIELDS[1]!, '1, 2.5');
    expect(n).toEqual({ ok: true, where: '{"n":{"$in":[1,2.5]}}' });
    const both = buildFilter(FIELDS, n.ok ? n.where : null, FIELDS[2]!, ['high']);
    expect(both).toEqual({ ok: true, where: '{"n":{"$in":[1,2.5]},"prio":"high"}' });
    expect(buildFilter(FIELDS, null, FIELDS[3]!, 'a, b')).toEqual({ ok: true, where: '{"tags":{"$in":["a","b"]}}' });
    expect(buildFilter(FIELDS, null, FIELDS[1]!, 'two')).toEqual({ ok: false, problems: [{ field: 'n', reason: '"two": expected a finite number' }] });
    expect(buildFilter(FIELDS, null, FIELDS[2]!, [])).toMatchObject({ ok: false });
  });
});

describe('clone wizard filter steps', () => {
  it('opens a typed or a built filter from the preview, steps back, counts what a filter matches, drops a stale count', () => {
    let s = cloneWizardReducer(initialCloneWizard(['origin']), { type: 'preview', preview });
    s = cloneWizardReducer(s, { type: 'filter-open', build: true });
    expect(s.step).toBe('filter-field');
    expect(choiceCount(s)).toBe(5);
    s = cloneWizardReducer(s, { type: 'move', delta: 3, count: choiceCount(s) });
    s = cloneWizardReducer(s, { type: 'filter-field' });
    expect(s).toMatchObject({ step: 'filter-values', filterField: { name: 'prio' } });
    expect(cloneWizardReducer(s, { type: 'back' }).step).toBe('filter-field');
    s = cloneWizardReducer(s, { type: 'filter-refused', problems: [{ field: 'prio', reason: 'no' }] });
    expect(s.filterProblems).toHaveLength(1);
    s = cloneWizardReducer(s, { type: 'filter-set', where: '{"prio":"high"}' });
    expect(s).toMatchObject({ step: 'preview', where: '{"prio":"high"}', matching: { count: null }, filterProblems: null });
    expect(cloneWizardReducer(s, { type: 'matching', where: '{"other":1}', count: 3 })).toBe(s);
    s = cloneWizardReducer(s, { type: 'matching', where: '{"prio":"high"}', count: 3 });
    expect(s.matching).toEqual({ where: '{"prio":"high"}', count: 3 });
    s = cloneWizardReducer(s, { type: 'filter-open', build: false });
    expect(cloneWizardReducer(s, { type: 'back' })).toMatchObject({ step: 'preview', where: '{"prio":"high"}' });
    expect(cloneWizardReducer(s, { type: 'filter-set', where: null })).toMatchObject({ where: null, matching: null });
  });
});

describe('the conflict review of a left item', () => {
  it('offers to keep the change (pushed) or drop the copy (nothing deleted remotely)', () => {
    const entry = { itemId: 1, title: 't', kind: 'left', field: null, label: '', type: 'item', base: null, local: null, remote: null } as ConflictEntry;
    expect(itemChoices(entry)).toEqual({ local: expect.stringMatching(/keep your change to push/), remote: expect.stringMatching(/drop the copy here/) });
  });
});
