/** A field as base, local and remote see it, in three columns side by side. */
import { Box, Text } from 'ink';
import type { FieldValue } from '../../../shared/model/values.js';
import { showValue } from '../state/editor.js';

function Column({ title, value, color, width, maxLines }: { title: string; value: FieldValue; color: string; width: number; maxLines: number }) {
  const text = showValue(value);
  const lines = text === '' ? ['(empty)'] : text.split('\n');
  return (
    <Box flexDirection="column" width={width} borderStyle="single" borderColor={color} paddingX={1}>
      <Text bold color={color}>
        {title}
      </Text>
      {lines.slice(0, maxLines).map((line, index) => (
        <Text key={index} wrap="wrap" dimColor={text === ''}>
          {line === '' ? ' ' : line}
        </Text>
      ))}
      {lines.length > maxLines ? <Text dimColor>… {lines.length - maxLines} more lines</Text> : null}
    </Box>
  );
}

export function SideBySide({ base, local, remote, columns, maxLines = 8 }: { base: FieldValue; local: FieldValue; remote: FieldValue; columns: number; maxLines?: number }) {
  const width = Math.max(16, Math.floor((columns - 1) / 3));
  return (
    <Box>
      <Column title="base (last agreed)" value={base} color="gray" width={width} maxLines={maxLines} />
      <Column title="local (yours)" value={local} color="green" width={width} maxLines={maxLines} />
      <Column title="remote (theirs)" value={remote} color="blue" width={width} maxLines={maxLines} />
    </Box>
  );
}
