/** Progress of a long run: a bar when the total is known, a spinner and a count otherwise. */
import { ProgressBar as Bar, Spinner } from '@inkjs/ui';
import { Box, Text } from 'ink';

export interface ProgressProps {
  label: string;
  done: number;
  total: number | undefined;
  /** What the counted things are, e.g. "changes". */
  unit?: string;
}

export function ProgressBar({ label, done, total, unit = 'changes' }: ProgressProps) {
  if (total === undefined || total <= 0) {
    return (
      <Box>
        <Spinner label={`${label}: ${done} ${unit}`} />
        <Text dimColor>{'  Ctrl-C cancels'}</Text>
      </Box>
    );
  }
  const percent = Math.min(100, Math.round((done / total) * 100));
  return (
    <Box flexDirection="column">
      <Text>
        {label}: {done}/{total} {unit} ({percent}%)<Text dimColor>{'  Ctrl-C cancels'}</Text>
      </Text>
      <Box width={50}>
        <Bar value={percent} />
      </Box>
    </Box>
  );
}
