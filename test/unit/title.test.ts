/** The one title rule: the first line of the first text field, '' when there is none. */
import { describe, expect, it } from 'vitest';
import type { FieldDef, FieldType } from '../../shared/model/fields.js';
import { itemTitle, titleField, titleFromField } from '../../shared/model/title.js';

const field = (name: string, type: FieldType): FieldDef => ({ name, label: name, type, required: false });
const fields = [field('n', 'number'), field('body', 'textarea'), field('summary', 'text'), field('other', 'text')];

describe('itemTitle', () => {
  it('is the value of the first text field, not of the first string-valued one', () => {
    expect(titleField(fields)?.name).toBe('summary');
    expect(itemTitle(fields, { n: 3, body: 'long text', summary: 'The title', other: 'not this' })).toBe('The title');
  });

  it('keeps the first line only', () => {
    expect(itemTitle(fields, { summary: 'first\nsecond' })).toBe('first');
    expect(itemTitle(fields, { summary: 'first\r\nsecond' })).toBe('first');
    expect(itemTitle(fields, { summary: '\nsecond' })).toBe('');
  });

  it("is '' without a text field, without a value there, or with a value of another type", () => {
    expect(itemTitle([field('body', 'textarea')], { body: 'text' })).toBe('');
    expect(itemTitle([], {})).toBe('');
    expect(itemTitle(fields, { body: 'only the body', other: 'second text field' })).toBe('');
    expect(itemTitle(fields, { summary: null })).toBe('');
    expect(itemTitle(fields, { summary: 12 })).toBe('');
  });

  it('reads own values only: a field named like an Object member has no inherited title', () => {
    expect(itemTitle([field('constructor', 'text')], {})).toBe('');
    expect(titleFromField(undefined, { x: 'y' })).toBe('');
    expect(titleFromField({ name: 'x' }, { x: 'y\nz' })).toBe('y');
  });
});
