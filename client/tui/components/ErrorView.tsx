/**
 * The one place errors are shown: what failed, in words a user can act on (remote down, wrong
 * credentials, no right, refused input with the fields), never a stack trace.
 */
import { Box, Text } from 'ink';
import { BadInput, S15nError } from '../../../shared/errors.js';

export interface ErrorDescription {
  title: string;
  message: string;
  hint?: string;
  problems?: string[];
}

const TITLES: Record<string, { title: string; hint?: string }> = {
  unavailable: { title: 'Remote unreachable', hint: 'Is the remote instance running (s15n serve) and its URL right? Nothing was lost; try again.' },
  unauthorized: { title: 'Wrong credentials (401)', hint: "Set the remote's password again: s15n remote add, or S15N_PASSWORD_<REMOTE>." },
  forbidden: { title: 'No right (403)', hint: 'Ask an admin of the remote instance for the right (s15n grant).' },
  not_found: { title: 'Not found' },
  bad_input: { title: 'Refused' },
  conflict: { title: 'Conflict' },
  too_large: { title: 'Too large (413)' },
  too_many_requests: { title: 'Too many failed logins (429)', hint: 'Wait a minute, then check the password.' },
};

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof S15nError) {
    const known = TITLES[error.code] ?? { title: 'Failed' };
    const problems = error instanceof BadInput ? error.problems.map((p) => `${p.field}: ${p.reason}`) : [];
    return { title: known.title, message: error.message, ...(known.hint ? { hint: known.hint } : {}), ...(problems.length > 1 ? { problems } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title: 'Failed', message };
}

export function ErrorView({ error, title }: { error: unknown; title?: string }) {
  const described = describeError(error);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
      <Text color="red" bold>
        {title ?? described.title}
      </Text>
      <Text>{described.message}</Text>
      {described.problems?.map((problem) => (
        <Text key={problem}>- {problem}</Text>
      ))}
      {described.hint ? <Text dimColor>{described.hint}</Text> : null}
    </Box>
  );
}
