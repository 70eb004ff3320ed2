/** The schema screen: its state, the edits of a local tracker's fields through the engine, and its keys. */
import { useInput } from 'ink';
import { type Dispatch, useReducer } from 'react';
import type { FieldEdit, FieldPatch } from '../../../shared/model/schema-edit.js';
import { parseFieldText } from '../../../shared/model/parse.js';
import type { Tracker } from '../../../server/store/index.js';
import type { TuiEngine } from '../engine.js';
import { type Binding, moveBindings } from '../keys.js';
import { type SchemaAction, type SchemaState, initialSchema, optionsText, schemaReducer } from '../state/schema.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';
import { type ListCursorControl, useListCursor } from './use-list-cursor.js';
import { useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';

export interface SchemaScreen {
  tracker: Tracker;
  state: SchemaState;
  list: ListCursorControl;
  height: number;
  active: boolean;
  bindings: Binding[];
  onSubmit(text: string): void;
}

function edit(engine: TuiEngine, trackerId: number, dispatch: Dispatch<SchemaAction>, change: FieldEdit | Promise<{ tracker: Tracker; changed: boolean }>, message: string): void {
  const run = async () => (change instanceof Promise ? change : engine.trackerTools.editSchema(trackerId, change));
  run().then(
    ({ tracker, changed }) => dispatch({ type: 'done', fields: tracker.fields, message: changed ? message : 'Nothing to change.' }),
    (error: unknown) => dispatch({ type: 'failed', error }),
  );
}

export function useSchema(trackerId: number): SchemaScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const { rows } = useScreenSize();
  const tracker = engine.tracker(trackerId);
  const [state, dispatch] = useReducer(schemaReducer, undefined, () => initialSchema(tracker.fields, engine.trackerTools.cloneOf(trackerId)));
  const height = Math.max(3, rows - 10);
  const list = useListCursor(state.fields.length, height);
  useOnActive(() => dispatch({ type: 'loaded', fields: engine.tracker(trackerId).fields, origin: engine.trackerTools.cloneOf(trackerId) }));
  const field = state.fields[list.cursor];
  const patch = (name: string, change: FieldPatch, message: string) => edit(engine, trackerId, dispatch, { op: 'edit', name, patch: change }, message);

  useInput(
    (_input, key) => {
      // Esc closes the input, changing nothing.
      if (key.escape) dispatch({ type: 'removing', field: null });
    },
    { isActive: active && state.prompt !== null },
  );

  const onSubmit = (text: string) => {
    const prompt = state.prompt;
    if (!prompt) return;
    if (prompt.kind === 'add') return edit(engine, trackerId, dispatch, engine.trackerTools.addField(trackerId, text), `Added ${text.trim()}.`);
    if (prompt.kind === 'label') return patch(prompt.field, { label: text }, `Label of ${prompt.field} changed.`);
    const options = parseFieldText({ type: 'multiselect' }, text);
    if (!options.ok) return dispatch({ type: 'failed', error: new Error(`options: ${options.reason}`) });
    patch(prompt.field, { options: (options.value as string[] | null) ?? [] }, `Options of ${prompt.field} changed.`);
  };

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    ...(state.origin || !field ? [] : fieldBindings(state, dispatch, field, patch, (name) => edit(engine, trackerId, dispatch, { op: 'remove', name }, `Removed ${name} and its values.`))),
    ...(state.origin ? [] : [{ keys: ['a'], label: 'add field', help: 'add a field: a spec as for --field (email*:email, prio!:dropdown:low,high)', run: () => dispatch({ type: 'prompt', prompt: { kind: 'add', initial: '' } }) }]),
    { keys: ['esc', 'q'], label: state.removing ? 'keep it' : 'back', run: () => (state.removing ? dispatch({ type: 'removing', field: null }) : navigation.back()) },
  ];
  return { tracker, state, list, height, active, bindings, onSubmit };
}

function fieldBindings(
  state: SchemaState,
  dispatch: Dispatch<SchemaAction>,
  field: SchemaState['fields'][number],
  patch: (name: string, change: FieldPatch, message: string) => void,
  remove: (name: string) => void,
): Binding[] {
  const name = field.name;
  const hasOptions = field.type === 'dropdown' || field.type === 'multiselect';
  return [
    { keys: ['l'], label: 'label', help: 'change the label', run: () => dispatch({ type: 'prompt', prompt: { kind: 'label', field: name, initial: field.label } }) },
    ...(hasOptions ? [{ keys: ['o'], label: 'options', help: 'change the options (an option in use cannot go)', run: () => dispatch({ type: 'prompt', prompt: { kind: 'options', field: name, initial: optionsText(field) } }) }] : []),
    { keys: ['!'], label: field.required ? 'optional' : 'required', help: 'make the field required (every item must have a value) or optional', run: () => patch(name, { required: !field.required }, `${name} is ${field.required ? 'optional' : 'required'} now.`) },
    { keys: ['*'], label: field.key ? 'not a key' : 'key', help: 'make the field a key (unique among live items) or not', run: () => patch(name, { key: !field.key }, `${name} is ${field.key ? 'no longer a key' : 'a key'} now.`) },
    { keys: ['d'], label: state.removing === name ? 'd again: remove' : 'remove', help: 'remove the field and its values (press d twice)', run: () => (state.removing === name ? remove(name) : dispatch({ type: 'removing', field: name })) },
  ];
}
