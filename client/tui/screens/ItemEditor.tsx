/**
 * Edit an item, or fill a new one: one row per field with an input that fits its type (a line
 * of text, the multi-line editor for textarea, a pick list for dropdown and multiselect, Space
 * for a checkbox), and the validation message beside each field the store refused.
 */
import { Box, Text } from 'ink';
import { ErrorView } from '../components/ErrorView.js';
import { FieldRow } from '../components/FieldRow.js';
import { Screen } from '../components/Screen.js';
import { useItemEditor } from '../hooks/use-item-editor.js';

export function ItemEditor({ trackerId, itemId }: { trackerId: number; itemId?: number }) {
  const editor = useItemEditor(trackerId, itemId);
  const { state, height } = editor;
  // The cursor stays in the middle of the rows shown, once there are more fields than rows.
  const top = Math.max(0, Math.min(state.cursor - Math.floor(height / 2), state.fields.length - height));
  const labelWidth = Math.min(24, Math.max(10, ...state.fields.map((f) => f.label.length + (f.required ? 3 : 2))));
  return (
    <Screen title={editor.isNew ? 'New item' : `Edit item ${itemId}`} context={editor.tracker.name} bindings={editor.bindings} keysActive={editor.keysActive} inputBindings={editor.inputBindings}>
      {!editor.isNew && !editor.original ? <Text color="red">Item {itemId} does not exist (or was deleted).</Text> : null}
      <Box flexDirection="column">
        {state.fields.slice(top, top + height).map((field, index) => (
          <FieldRow
            key={field.name}
            field={field}
            value={state.draft[field.name]}
            problem={state.problems[field.name]}
            open={state.editing === field.name}
            focused={top + index === state.cursor}
            labelWidth={labelWidth}
            active={editor.active}
            onSet={(value) => editor.set(field.name, value)}
            onClose={editor.close}
          />
        ))}
      </Box>
      {state.message ? <Text color="red">{state.message}</Text> : null}
      {editor.notice ? <Text color="yellow">{editor.notice}</Text> : null}
      {state.confirmDiscard ? <Text color="yellow">Discard your changes? y/n</Text> : null}
      {editor.error ? <ErrorView error={editor.error} /> : null}
    </Screen>
  );
}
