/**
 * Edit an item, or fill a new one: one row per field with an input that fits its type (a line
 * of text, the multi-line editor for textarea, a pick list for dropdown and multiselect, Space
 * for a checkbox), and the validation message beside each field the store refused.
 */
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useReducer, useState } from 'react';
import { BadInput } from '../../../shared/errors.js';
import { STATUS_FIELD } from '../../../shared/model/fields.js';
import { ErrorView } from '../components/ErrorView.js';
import { MultilineEditor } from '../components/MultilineEditor.js';
import { Screen } from '../components/Screen.js';
import { useActive } from '../hooks/use-active.js';
import { useEngine } from '../hooks/use-engine.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { type Binding, moveBindings } from '../keys.js';
import {
  type EditorField,
  type EditorState,
  draftChange,
  draftItem,
  editorReducer,
  initialEditor,
  inputKind,
  parseInput,
  problemField,
  showValue,
} from '../state/editor.js';

const NONE = '\u0000none';

export function ItemEditor({ trackerId, itemId }: { trackerId: number; itemId?: number }) {
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
      if (caught instanceof BadInput && caught.problems.length > 0) {
        const problems: Record<string, string> = {};
        const other: string[] = [];
        for (const problem of caught.problems) {
          const name = problemField(problem.field);
          if (name !== null && state.fields.some((f) => f.name === name)) problems[name] ??= problem.reason;
          else other.push(`${problem.field}: ${problem.reason}`);
        }
        dispatch({ type: 'problems', problems, message: other.length > 0 ? other.join('; ') : 'Not saved: fix the fields marked in red.' });
      } else {
        setError(caught);
      }
    }
  };

  const editing = state.editing !== null;
  const confirming = state.confirmDiscard;
  useInput(
    (input, key) => {
      if (input === 'y') navigation.back();
      else if (input === 'n' || key.escape) dispatch({ type: 'ask-discard', on: false });
    },
    { isActive: active && confirming },
  );
  // While a one-line or pick-list input is open, Esc closes it without a change.
  const current = state.fields[state.cursor];
  const kind = current ? inputKind(current) : 'none';
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'close' });
    },
    { isActive: active && editing && kind !== 'textarea' },
  );

  const height = Math.max(3, screenRows - 8);
  const bindings: Binding[] = [
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
  const inputBindings: Binding[] = confirming
    ? [
        { keys: ['y'], label: 'discard changes' },
        { keys: ['n'], label: 'keep editing' },
      ]
    : kind === 'textarea'
      ? [
          { keys: ['ctrl-s'], label: 'keep text' },
          { keys: ['esc'], label: 'cancel' },
          { keys: ['enter'], label: 'new line' },
        ]
      : kind === 'multiselect'
        ? [
            { keys: ['space'], label: 'toggle option' },
            { keys: ['enter'], label: 'done' },
            { keys: ['esc'], label: 'cancel' },
          ]
        : [
            { keys: ['enter'], label: 'keep' },
            { keys: ['esc'], label: 'cancel' },
          ];

  const top = Math.max(0, Math.min(state.cursor - Math.floor(height / 2), state.fields.length - height));
  const labelWidth = Math.min(24, Math.max(10, ...state.fields.map((f) => f.label.length + (f.required ? 3 : 2))));
  const title = isNew ? 'New item' : `Edit item ${itemId}`;
  return (
    <Screen title={title} context={tracker.name} bindings={bindings} keysActive={!editing && !confirming} inputBindings={inputBindings}>
      {!isNew && !original ? <Text color="red">Item {itemId} does not exist (or was deleted).</Text> : null}
      <Box flexDirection="column">
        {state.fields.slice(top, top + height).map((field, index) => (
          <FieldRow key={field.name} field={field} state={state} focused={top + index === state.cursor} labelWidth={labelWidth} active={active} dispatch={dispatch} />
        ))}
      </Box>
      {state.message ? <Text color="red">{state.message}</Text> : null}
      {notice ? <Text color="yellow">{notice}</Text> : null}
      {confirming ? <Text color="yellow">Discard your changes? y/n</Text> : null}
      {error ? <ErrorView error={error} /> : null}
    </Screen>
  );
}

function FieldRow({
  field,
  state,
  focused,
  labelWidth,
  active,
  dispatch,
}: {
  field: EditorField;
  state: EditorState;
  focused: boolean;
  labelWidth: number;
  active: boolean;
  dispatch: (action: Parameters<typeof editorReducer>[1]) => void;
}) {
  const value = state.draft[field.name];
  const problem = state.problems[field.name];
  const open = state.editing === field.name;
  const set = (next: unknown) => dispatch({ type: 'set', name: field.name, value: next });
  const close = () => dispatch({ type: 'close' });
  const label = (
    <Box width={labelWidth} flexShrink={0}>
      <Text bold={focused} inverse={focused && !open} wrap="truncate-end">
        {focused ? '›' : ' '}
        {field.label}
        {field.required ? '*' : ''}
      </Text>
    </Box>
  );
  let input;
  if (open && field.type === 'textarea') {
    input = <MultilineEditor initial={showValue(value)} onSubmit={(text) => set(parseInput('textarea', text))} onCancel={close} active={active} />;
  } else if (open && field.type === 'dropdown') {
    const options = [...(field.required || field.name === STATUS_FIELD ? [] : [{ label: '(none)', value: NONE }]), ...(field.options ?? []).map((o) => ({ label: o, value: o }))];
    // No default: ink-ui's Select reports only a change, and Enter on the current value must close it too.
    input = (
      <Box flexDirection="column">
        <Text dimColor>now: {showValue(value) || '(none)'}</Text>
        <Select options={options} onChange={(picked) => set(picked === NONE ? null : picked)} isDisabled={!active} />
      </Box>
    );
  } else if (open && field.type === 'multiselect') {
    input = (
      <MultiSelect
        options={(field.options ?? []).map((o) => ({ label: o, value: o }))}
        defaultValue={Array.isArray(value) ? (value as string[]) : []}
        onSubmit={(picked) => set(picked.length > 0 ? picked : null)}
        isDisabled={!active}
      />
    );
  } else if (open) {
    input = <TextInput defaultValue={showValue(value)} onSubmit={(text) => set(parseInput(field.type, text))} isDisabled={!active} />;
  } else if (field.type === 'checkbox') {
    input = <Text>{value === true ? '[x]' : '[ ]'}</Text>;
  } else {
    const text = showValue(value);
    const shown = field.type === 'textarea' && text.includes('\n') ? `${text.split('\n')[0]} … (${text.split('\n').length} lines)` : text;
    input = (
      <Text wrap="truncate-end" dimColor={text === '' || field.readOnly}>
        {text === '' ? (field.readOnly ? '(assigned by the server)' : '—') : shown}
      </Text>
    );
  }
  return (
    <Box flexDirection="column">
      <Box>
        {label}
        <Box flexDirection="column" flexGrow={1}>
          {input}
        </Box>
      </Box>
      {problem ? (
        <Box paddingLeft={labelWidth}>
          <Text color="red">{problem}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
