/** A textarea conflict as diff3 hunks: for each region both sides changed, the local, base and remote lines. */
import { Box, Text } from 'ink';
import type { TextHunk } from '../../../shared/merge/index.js';

function Lines({ lines, prefix, color }: { lines: string[]; prefix: string; color: string }) {
  if (lines.length === 0) return <Text dimColor>{prefix} (no lines)</Text>;
  return (
    <>
      {lines.map((line, index) => (
        <Text key={index} color={color} wrap="truncate-end">
          {prefix} {line}
        </Text>
      ))}
    </>
  );
}

export function HunkView({ hunks, maxHunks = 3 }: { hunks: TextHunk[]; maxHunks?: number }) {
  return (
    <Box flexDirection="column">
      {hunks.slice(0, maxHunks).map((hunk, index) => (
        <Box key={index} flexDirection="column" marginBottom={1}>
          <Text dimColor>@@ line {hunk.baseIndex + 1} of the base</Text>
          <Text color="green">{'<<<<<<< local (yours)'}</Text>
          <Lines lines={hunk.local} prefix="<" color="green" />
          <Text dimColor>{'||||||| base'}</Text>
          <Lines lines={hunk.base} prefix="|" color="gray" />
          <Text>{'======='}</Text>
          <Lines lines={hunk.remote} prefix=">" color="blue" />
          <Text color="blue">{'>>>>>>> remote (theirs)'}</Text>
        </Box>
      ))}
      {hunks.length > maxHunks ? <Text dimColor>… {hunks.length - maxHunks} more hunks</Text> : null}
    </Box>
  );
}
