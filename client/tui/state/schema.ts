/**
 * The schema screen's state (pure): a tracker's fields, where a clone's schema comes from, the
 * one-line input open (a new field's spec, a label, options), a removal waiting for its second
 * `d`, and what the last edit did.
 */
import type { FieldDef } from '../../../shared/model/fields.js';
import { fieldText } from '../../../shared/model/parse.js';

export type SchemaPrompt = { kind: 'add'; initial: string } | { kind: 'label' | 'options'; field: string; initial: string };

export interface SchemaState {
  fields: FieldDef[];
  /** `remote/tracker` for a clone (read only here), null for a tracker this instance owns. */
  origin: string | null;
  prompt: SchemaPrompt | null;
  /** The field a first `d` asked to remove. */
  removing: string | null;
  message: string | null;
  error: unknown;
}

export type SchemaAction =
  | { type: 'loaded'; fields: FieldDef[]; origin: string | null }
  | { type: 'prompt'; prompt: SchemaPrompt }
  | { type: 'removing'; field: string | null }
  | { type: 'done'; fields: FieldDef[]; message: string }
  | { type: 'failed'; error: unknown };

export function initialSchema(fields: FieldDef[], origin: string | null): SchemaState {
  return { fields, origin, prompt: null, removing: null, message: null, error: null };
}

export function schemaReducer(state: SchemaState, action: SchemaAction): SchemaState {
  switch (action.type) {
    case 'loaded':
      return { ...state, fields: action.fields, origin: action.origin };
    case 'prompt':
      return { ...state, prompt: action.prompt, removing: null, error: null };
    case 'removing':
      return { ...state, removing: action.field, prompt: null, message: null };
    case 'done':
      return { ...state, fields: action.fields, message: action.message, prompt: null, removing: null, error: null };
    case 'failed':
      // The input stays open on a refusal, so the text can be fixed rather than typed again.
      return { ...state, error: action.error, removing: null };
  }
}

/** `!` required, `*` key: the marks of a field spec. */
export function fieldFlags(field: FieldDef): string {
  return `${field.required ? 'required ' : ''}${field.key ? 'key' : ''}`.trim();
}

/** A field's options as the options input shows them (and reads them back: `a, b`, JSON when needed). */
export function optionsText(field: FieldDef): string {
  return field.options ? fieldText({ type: 'multiselect' }, field.options) : '';
}
