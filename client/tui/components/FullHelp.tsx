/** The full help (?): every key of the current screen with what it does. */
import { Box, Text } from 'ink';
import { type Binding, showKey } from '../keys.js';

export function FullHelp({ title, bindings }: { title: string; bindings: readonly Binding[] }) {
  const width = Math.max(...bindings.map((b) => (b.show ?? b.keys.map(showKey).join(' / ')).length), 6) + 2;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys of {title}</Text>
      {bindings.map((binding, index) => (
        <Box key={`${binding.label}-${index}`}>
          <Box width={width} flexShrink={0}>
            <Text color="cyan">{binding.show ?? binding.keys.map(showKey).join(' / ')}</Text>
          </Box>
          <Text>{binding.help ?? binding.label}</Text>
        </Box>
      ))}
      <Box>
        <Box width={width} flexShrink={0}>
          <Text color="cyan">Ctrl-C</Text>
        </Box>
        <Text>cancel the running reload, push or clone (what was applied stays); otherwise quit</Text>
      </Box>
      <Text dimColor>Any key closes this help.</Text>
    </Box>
  );
}
