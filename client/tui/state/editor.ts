/**
 * The item editor's state (pure): one row per field (status first), the draft values, which
 * row is being edited, and the validation messages per field, from the local check as a value
 * is entered and from the store's BadInput problems on save.
 */
import { type FieldDef, type FieldType, STATUS_FIELD, STATUS_FIELD_DEF } from '../../../shared/model/fields.js';
import { fieldText, parseFieldText } from '../../../shared/model/parse.js';
import { type Values, isEmptyValue, validateValue, valuesEqual } from '../../../shared/model/values.js';

export interface EditorField {
  name: string;
  label: string;
  type: FieldType;
  options?: string[];
  required: boolean;
  /** Shown, never edited: assigned by the server (autoincrement). */
  readOnly: boolean;
}

/** How a field is edited: a line of text, the multi-line editor, a pick list, a toggle, the attachments list. */
export type InputKind = 'text' | 'textarea' | 'select' | 'multiselect' | 'toggle' | 'files' | 'none';

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

const READ_ONLY: ReadonlySet<FieldType> = new Set(['autoincrement']);

/** The status row: the one status pseudo-field, editable. */
export const STATUS_EDITOR_FIELD: EditorField = {
  name: STATUS_FIELD_DEF.name,
  label: STATUS_FIELD_DEF.label,
  type: STATUS_FIELD_DEF.type,
  options: [...(STATUS_FIELD_DEF.options ?? [])],
  required: STATUS_FIELD_DEF.required,
  readOnly: false,
};

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
    case 'files':
      return 'files';
    default:
      return 'text';
  }
}

/**
 * A value typed as text, read by the shared parser (the same reading as `--set` and `resolve
 * --value`). Text that does not parse stays text in the draft, so the input shows what was
 * typed and the field's check gives the parser's reason beside it.
 */
export function parseInput(field: FieldType | Pick<FieldDef, 'type'>, text: string): unknown {
  const parsed = parseFieldText(typeof field === 'string' ? { type: field } : field, text);
  return parsed.ok ? parsed.value : text;
}

/** A value as the text a user would type (fieldText): for lists, the editor's text input, and the item view. */
export function showValue(value: unknown): string {
  // fieldText's form follows the value's JS type, so the field's type is not needed here.
  return fieldText({ type: 'text' }, value);
}

function fieldCheck(field: EditorField, value: unknown): string | null {
  if (field.readOnly) return null;
  if (isEmptyValue(value)) return field.required ? 'required; it cannot be empty' : null;
  if (typeof value === 'string') {
    // A string where the type wants a number, boolean or list is typed text parseInput could not read: say why in the parser's words.
    const parsed = parseFieldText(field, value);
    if (!parsed.ok) return parsed.reason;
  }
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

/** The store's refusal of a save as an editor action: each problem beside its field, the others in one message. */
export function refusal(state: EditorState, problems: readonly { field: string; reason: string }[]): Extract<EditorAction, { type: 'problems' }> {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const problem of problems) {
    const name = problemField(problem.field);
    // One message per field: the first one the store gave.
    if (name !== null && state.fields.some((f) => f.name === name)) byField[name] ??= problem.reason;
    else other.push(`${problem.field}: ${problem.reason}`);
  }
  return { type: 'problems', problems: byField, message: other.length > 0 ? other.join('; ') : 'Not saved: fix the fields marked in red.' };
}
