/** The item editor's state (also for a new item), the save through the engine with the store's problems shown per field, and its keys. */
import { useInput } from 'ink';
import { type Dispatch, useReducer, useState } from 'react';
import { BadInput } from '../../../shared/errors.js';
import type { Item, Tracker } from '../../../server/store/index.js';
import { type Binding, moveBindings } from '../keys.js';
import { type EditorAction, type EditorState, type InputKind, draftChange, draftItem, editorReducer, initialEditor, inputKind, refusal } from '../state/editor.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useScreenSize } from './use-screen-size.js';

export interface ItemEditorScreen {
  tracker: Tracker;
  isNew: boolean;
  /** The item as it was before the edit; undefined for a new item, or one that does not exist. */
  original: Item | undefined;
  state: EditorState;
  error: unknown;
  notice: string | null;
  /** Rows of fields shown at a time. */
  height: number;
  active: boolean;
  /** False while a field's input or the discard question owns the keyboard. */
  keysActive: boolean;
  bindings: Binding[];
  inputBindings: Binding[];
  set(name: string, value: unknown): void;
  close(): void;
}

export function useItemEditor(trackerId: number, itemId?: number): ItemEditorScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [original] = useState(() => (itemId === undefined ? undefined : engine.item(trackerId, itemId)));
  const [state, dispatch] = useReducer(editorReducer, undefined, () => initialEditor(tracker.fields, original?.status ?? 'open', original?.values ?? {}));
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const isNew = itemId === undefined;
  const height = Math.max(3, screenRows - 8);

  const save = () => {
    setError(null);
    try {
      if (isNew) {
        const created = engine.newItem(trackerId, draftItem(state));
        navigation.replace({ screen: 'item', trackerId, itemId: created.id });
        return;
      }
      if (!original) return;
      const change = draftChange(state, original);
      if (change.status === undefined && Object.keys(change.values).length === 0) {
        setNotice('Nothing changed.');
        return;
      }
      engine.saveItem(trackerId, original.id, change);
      navigation.back();
    } catch (caught) {
      if (caught instanceof BadInput && caught.problems.length > 0) dispatch(refusal(state, caught.problems));
      else setError(caught);
    }
  };

  const current = state.fields[state.cursor];
  const kind = current ? inputKind(current) : 'none';
  useChildInputKeys(state, dispatch, navigation, active, kind);
  return {
    tracker,
    isNew,
    original,
    state,
    error,
    notice,
    height,
    active,
    keysActive: state.editing === null && !state.confirmDiscard,
    bindings: editorBindings(state, dispatch, navigation, height, isNew, save),
    inputBindings: inputBindingsOf(state.confirmDiscard, kind),
    set: (name, value) => dispatch({ type: 'set', name, value }),
    close: () => dispatch({ type: 'close' }),
  };
}

/** The keys the screen's bindings do not see while they are off: y/n for the discard question, Esc closing a one-line or pick-list input. */
function useChildInputKeys(state: EditorState, dispatch: Dispatch<EditorAction>, navigation: Navigation, active: boolean, kind: InputKind): void {
  useInput(
    (input, key) => {
      if (input === 'y') navigation.back();
      else if (input === 'n' || key.escape) dispatch({ type: 'ask-discard', on: false });
    },
    { isActive: active && state.confirmDiscard },
  );
  // The multi-line editor and the attachments list handle their own Esc.
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'close' });
    },
    { isActive: active && state.editing !== null && kind !== 'textarea' && kind !== 'files' },
  );
}

function editorBindings(state: EditorState, dispatch: Dispatch<EditorAction>, navigation: Navigation, height: number, isNew: boolean, save: () => void): Binding[] {
  return [
    ...moveBindings((delta) => dispatch({ type: 'move', delta }), height),
    { keys: ['enter', 'e'], label: 'edit field', help: 'edit the field under the cursor (a checkbox toggles)', run: () => dispatch({ type: 'open' }) },
    { keys: ['space'], label: 'toggle', help: 'toggle a checkbox field', run: () => dispatch({ type: 'toggle' }) },
    { keys: ['ctrl-s'], label: isNew ? 'create' : 'save', help: isNew ? 'create the item' : 'save the changes', run: save },
    {
      keys: ['esc', 'q'],
      label: 'back',
      help: 'leave without saving (asks first when something changed)',
      run: () => (state.dirty ? dispatch({ type: 'ask-discard', on: true }) : navigation.back()),
    },
  ];
}

/** What the help bar shows while a child input owns the keyboard. */
function inputBindingsOf(confirming: boolean, kind: InputKind): Binding[] {
  if (confirming) {
    return [
      { keys: ['y'], label: 'discard changes' },
      { keys: ['n'], label: 'keep editing' },
    ];
  }
  if (kind === 'textarea') {
    return [
      { keys: ['ctrl-s'], label: 'keep text' },
      { keys: ['esc'], label: 'cancel' },
      { keys: ['enter'], label: 'new line' },
    ];
  }
  if (kind === 'files') {
    return [
      { keys: ['a'], label: 'attach a file' },
      { keys: ['d'], label: 'detach' },
      { keys: ['enter'], label: 'done' },
      { keys: ['esc'], label: 'cancel' },
    ];
  }
  if (kind === 'multiselect') {
    return [
      { keys: ['space'], label: 'toggle option' },
      { keys: ['enter'], label: 'done' },
      { keys: ['esc'], label: 'cancel' },
    ];
  }
  return [
    { keys: ['enter'], label: 'keep' },
    { keys: ['esc'], label: 'cancel' },
  ];
}
