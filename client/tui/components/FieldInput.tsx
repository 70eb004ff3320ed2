/** The open input of an item editor field, by its type: the multi-line editor, a pick list, or a line of text. */
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { STATUS_FIELD } from '../../../shared/model/fields.js';
import { type EditorField, parseInput, showValue } from '../state/editor.js';
import { FilesInput } from './FilesInput.js';
import { MultilineEditor } from './MultilineEditor.js';

/** The "(none)" choice of an optional dropdown: a value no option can have. */
const NONE = '\u0000none';

export interface FieldInputProps {
  field: EditorField;
  /** The draft value the input starts from. */
  value: unknown;
  active: boolean;
  /** The value entered, read per field type. */
  onSet(value: unknown): void;
  /** Closed without a change. */
  onClose(): void;
}

export function FieldInput({ field, value, active, onSet, onClose }: FieldInputProps) {
  switch (field.type) {
    case 'files':
      return <FilesInput value={value} active={active} onSet={onSet} onClose={onClose} />;
    case 'textarea':
      return <MultilineEditor initial={showValue(value)} onSubmit={(text) => onSet(parseInput('textarea', text))} onCancel={onClose} active={active} />;
    case 'dropdown': {
      const options = [...(field.required || field.name === STATUS_FIELD ? [] : [{ label: '(none)', value: NONE }]), ...(field.options ?? []).map((o) => ({ label: o, value: o }))];
      // No default: ink-ui's Select reports only a change, and Enter on the current value must close it too.
      return (
        <Box flexDirection="column">
          <Text dimColor>now: {showValue(value) || '(none)'}</Text>
          <Select options={options} onChange={(picked) => onSet(picked === NONE ? null : picked)} isDisabled={!active} />
        </Box>
      );
    }
    case 'multiselect':
      return (
        <MultiSelect
          options={(field.options ?? []).map((o) => ({ label: o, value: o }))}
          defaultValue={Array.isArray(value) ? (value as string[]) : []}
          onSubmit={(picked) => onSet(picked.length > 0 ? picked : null)}
          isDisabled={!active}
        />
      );
    default:
      return <TextInput defaultValue={showValue(value)} onSubmit={(text) => onSet(parseInput(field.type, text))} isDisabled={!active} />;
  }
}
