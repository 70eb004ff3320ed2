/** The one-line key summary at the bottom of every screen. */
import { Box, Text } from 'ink';
import { type Binding, showKeys } from '../keys.js';

export function HelpBar({ bindings }: { bindings: readonly Binding[] }) {
  const shown = bindings.filter((b) => !b.minor);
  return (
    <Box>
      <Text wrap="truncate-end">
        {shown.map((binding, index) => (
          <Text key={`${binding.label}-${index}`}>
            {index > 0 ? '  ' : ''}
            <Text bold color="cyan">
              {showKeys(binding)}
            </Text>{' '}
            <Text dimColor>{binding.label}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
