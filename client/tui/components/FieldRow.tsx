/** One row of the item editor: the field's label, its value or its open input, and the problem found with its value. */
import { Box, Text } from 'ink';
import { type FileRef, formatSize } from '../../../shared/model/files.js';
import { type EditorField, showValue } from '../state/editor.js';
import { FieldInput, type FieldInputProps } from './FieldInput.js';

export interface FieldRowProps extends FieldInputProps {
  /** Why the check or the store refused the value, shown under it. */
  problem: string | undefined;
  /** Whether the field's input is open. */
  open: boolean;
  focused: boolean;
  labelWidth: number;
}

export function FieldRow({ problem, open, focused, labelWidth, ...input }: FieldRowProps) {
  const { field } = input;
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={labelWidth} flexShrink={0}>
          <Text bold={focused} inverse={focused && !open} wrap="truncate-end">
            {focused ? '›' : ' '}
            {field.label}
            {field.required ? '*' : ''}
          </Text>
        </Box>
        <Box flexDirection="column" flexGrow={1}>
          {open ? <FieldInput {...input} /> : <FieldValue field={field} value={input.value} />}
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

/** A closed field's value on one line: a checkbox as [x], a multi-line text as its first line and its length. */
function FieldValue({ field, value }: { field: EditorField; value: unknown }) {
  if (field.type === 'checkbox') return <Text>{value === true ? '[x]' : '[ ]'}</Text>;
  if (field.type === 'files' && Array.isArray(value) && value.length > 0) {
    const files = value as FileRef[];
    return <Text wrap="truncate-end">{`${files.length} file${files.length === 1 ? '' : 's'}: ${files.map((f) => `${f.name} (${formatSize(f.size)})`).join(', ')}`}</Text>;
  }
  const text = showValue(value);
  const lines = text.split('\n');
  const shown = field.type === 'textarea' && lines.length > 1 ? `${lines[0]} … (${lines.length} lines)` : text;
  return (
    <Text wrap="truncate-end" dimColor={text === '' || field.readOnly}>
      {text === '' ? (field.readOnly ? '(assigned by the server)' : '—') : shown}
    </Text>
  );
}
