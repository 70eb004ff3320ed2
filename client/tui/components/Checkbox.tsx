/** One row of a checkbox list: the cursor, the box ([x], [ ], or [!] for a row that cannot be selected), the label. */
import { Text } from 'ink';

export function Checkbox({ label, checked, focused, disabled = false, note }: { label: string; checked: boolean; focused: boolean; disabled?: boolean; note?: string }) {
  const box = disabled ? '[!]' : checked ? '[x]' : '[ ]';
  return (
    <Text wrap="truncate-end" inverse={focused}>
      {focused ? '›' : ' '} <Text color={disabled ? 'red' : checked ? 'green' : undefined}>{box}</Text> {label}
      {note ? <Text dimColor> {note}</Text> : null}
    </Text>
  );
}
