/**
 * The item editor's state (pure): one row per field (status first), the draft values, which
 * row is being edited, and the validation messages per field, from the local check as a value
 * is entered and from the store's BadInput problems on save.
 */
import { type FieldDef, type FieldType, STATUSES, STATUS_FIELD } from '../../../shared/model/fields.js';
import { type Values, isEmptyValue, validateValue, valuesEqual } from '../../../shared/model/values.js';

export interface EditorField {
  name: string;
  label: string;
  type: FieldType;
  options?: string[];
  required: boolean;
  /** Shown, never edited: assigned by the server (autoincrement) or not replicated (files). */
  readOnly: boolean;
}

/** How a field is edited: a line of text, the multi-line editor, a pick list, a toggle. */
export type InputKind = 'text' | 'textarea' | 'select' | 'multiselect' | 'toggle' | 'none';

export interface EditorState {
  fields: EditorField[];
  /** Draft values by field name ('status' included); what a text input gave, parsed per type. */
  draft: Record<string, unknown>;
  cursor: number;
  /** The field whose input is open. */
  editing: string | null;
  problems: Record<string, string>;
  dirty: boolean;
  /** Esc with unsaved changes asks first. */
  confirmDiscard: boolean;
  /** A problem not tied to one field (the store refused the item for another reason). */
  message: string | null;
}

export type EditorAction =
  | { type: 'move'; delta: number }
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'set'; name: string; value: unknown }
  | { type: 'toggle' }
  | { type: 'problems'; problems: Record<string, string>; message: string | null }
  | { type: 'ask-discard'; on: boolean };

const READ_ONLY: ReadonlySet<FieldType> = new Set(['autoincrement', 'files']);

export const STATUS_EDITOR_FIELD: EditorField = { name: STATUS_FIELD, label: 'Status', type: 'dropdown', options: [...STATUSES], required: true, readOnly: false };

export function editorFields(fields: readonly FieldDef[]): EditorField[] {
  return [
    STATUS_EDITOR_FIELD,
    ...fields.map((f) => ({ name: f.name, label: f.label, type: f.type, ...(f.options ? { options: f.options } : {}), required: f.required, readOnly: READ_ONLY.has(f.type) })),
  ];
}

export function initialEditor(fields: readonly FieldDef[], status: string, values: Values): EditorState {
  const draft: Record<string, unknown> = { [STATUS_FIELD]: status };
  for (const field of fields) draft[field.name] = values[field.name] ?? null;
  const rows = editorFields(fields);
  // Start on the first field after the status: usually the title.
  return { fields: rows, draft, cursor: rows.length > 1 ? 1 : 0, editing: null, problems: {}, dirty: false, confirmDiscard: false, message: null };
}

export function inputKind(field: EditorField): InputKind {
  if (field.readOnly) return 'none';
  switch (field.type) {
    case 'checkbox':
      return 'toggle';
    case 'dropdown':
      return 'select';
    case 'multiselect':
      return 'multiselect';
    case 'textarea':
      return 'textarea';
    default:
      return 'text';
  }
}

/** A value typed as text, read per field type; what does not parse stays text for validation to refuse. */
export function parseInput(type: FieldType, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  switch (type) {
    case 'number':
    case 'itemlink':
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed) ? Number(trimmed) : text;
    case 'tags':
      return trimmed.split(',').map((t) => t.trim()).filter((t) => t !== '');
    case 'textarea':
      return text;
    default:
      return type === 'text' ? text : trimmed;
  }
}

/** A value as one line of text: for lists, the editor's text input, and the item view. */
export function showValue(value: unknown): string {
  if (isEmptyValue(value)) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function fieldCheck(field: EditorField, value: unknown): string | null {
  if (field.readOnly) return null;
  if (isEmptyValue(value)) return field.required ? 'required; it cannot be empty' : null;
  const check = validateValue({ name: field.name, label: field.label, type: field.type, required: field.required, ...(field.options ? { options: field.options } : {}) }, value);
  return check.ok ? null : check.reason;
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'move': {
      const target = action.delta === Infinity ? state.fields.length - 1 : action.delta === -Infinity ? 0 : state.cursor + action.delta;
      return { ...state, cursor: Math.max(0, Math.min(state.fields.length - 1, target)) };
    }
    case 'open': {
      const field = state.fields[state.cursor];
      if (!field) return state;
      const kind = inputKind(field);
      if (kind === 'none') return { ...state, message: `${field.label} cannot be edited here` };
      if (kind === 'toggle') return editorReducer(state, { type: 'toggle' });
      return { ...state, editing: field.name, message: null };
    }
    case 'close':
      return { ...state, editing: null };
    case 'set': {
      const field = state.fields.find((f) => f.name === action.name);
      if (!field) return state;
      const problems = { ...state.problems };
      const problem = fieldCheck(field, action.value);
      if (problem) problems[field.name] = problem;
      else delete problems[field.name];
      return { ...state, draft: { ...state.draft, [field.name]: action.value }, problems, editing: null, dirty: true };
    }
    case 'toggle': {
      const field = state.fields[state.cursor];
      if (!field || inputKind(field) !== 'toggle') return state;
      return editorReducer(state, { type: 'set', name: field.name, value: state.draft[field.name] !== true });
    }
    case 'problems': {
      const first = state.fields.findIndex((f) => action.problems[f.name] !== undefined);
      return { ...state, problems: action.problems, message: action.message, cursor: first >= 0 ? first : state.cursor };
    }
    case 'ask-discard':
      return { ...state, confirmDiscard: action.on };
  }
}

/** The fields that differ from the original, as a partial change (null clears a field). */
export function draftChange(state: EditorState, original: { status: string; values: Values }): { status?: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  let status: string | undefined;
  for (const field of state.fields) {
    if (field.readOnly) continue;
    const draft = state.draft[field.name];
    if (field.name === STATUS_FIELD) {
      if (draft !== original.status) status = draft as string;
      continue;
    }
    if (!valuesEqual(field.type, draft, original.values[field.name] ?? null)) values[field.name] = isEmptyValue(draft) ? null : draft;
  }
  return status === undefined ? { values } : { status, values };
}

/** The draft as a new item: every field with a value. */
export function draftItem(state: EditorState): { status: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  for (const field of state.fields) {
    if (field.readOnly || field.name === STATUS_FIELD) continue;
    const draft = state.draft[field.name];
    if (!isEmptyValue(draft)) values[field.name] = draft;
  }
  return { status: String(state.draft[STATUS_FIELD] ?? 'open'), values };
}

/**
 * The field a store problem names ("items[0].values.title", "values.title", "status"), so the
 * message shows beside that field; null for a problem of the item as a whole.
 */
export function problemField(path: string): string | null {
  const match = /(?:^|\.)values\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path) ?? /(?:^|\.|\])(status)$/.exec(path) ?? /^([A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
  return match?.[1] ?? null;
}

