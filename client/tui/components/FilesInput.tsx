/** The open input of a files field: its attachments (name, size, type), `a` attaches a file by its path, `d` detaches the one under the cursor, Enter keeps the list. */
import { TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useReducer } from 'react';
import { type FileRef, formatSize } from '../../../shared/model/files.js';
import { useEngine } from '../hooks/use-engine.js';
import { filesInputReducer, initialFilesInput } from '../state/files-input.js';

export interface FilesInputProps {
  value: unknown;
  active: boolean;
  onSet(value: FileRef[] | null): void;
  onClose(): void;
}

export function FilesInput({ value, active, onSet, onClose }: FilesInputProps) {
  const engine = useEngine();
  const [state, dispatch] = useReducer(filesInputReducer, Array.isArray(value) ? (value as FileRef[]) : null, initialFilesInput);
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow || input === 'j') dispatch({ type: 'move', delta: 1 });
      else if (input === 'd') dispatch({ type: 'detach' });
      else if (input === 'a') dispatch({ type: 'ask-path' });
      else if (key.return) onSet(state.files.length > 0 ? state.files : null);
      else if (key.escape) onClose();
    },
    { isActive: active && state.mode === 'list' },
  );
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'cancel-path' });
    },
    { isActive: active && state.mode === 'path' },
  );
  const attach = (path: string) => {
    if (path.trim() === '') return dispatch({ type: 'cancel-path' });
    dispatch({ type: 'reading' });
    engine.attachFile(path.trim()).then(
      (file) => dispatch({ type: 'attached', file }),
      (error: unknown) => dispatch({ type: 'failed', reason: error instanceof Error ? error.message : String(error) }),
    );
  };
  return (
    <Box flexDirection="column">
      {state.files.length === 0 ? <Text dimColor>no attachments</Text> : null}
      {state.files.map((file, index) => (
        <Text key={file.sha256} inverse={state.mode === 'list' && index === state.cursor} wrap="truncate-end">
          {index === state.cursor ? '› ' : '  '}
          {file.name} {formatSize(file.size)} {file.type}
        </Text>
      ))}
      {state.mode === 'path' ? (
        <Box>
          <Text color="cyan">path: </Text>
          <TextInput onSubmit={attach} isDisabled={!active} />
        </Box>
      ) : null}
      {state.mode === 'reading' ? <Text color="yellow">reading the file…</Text> : null}
      {state.message ? <Text color={state.message.error ? 'red' : 'green'}>{state.message.text}</Text> : null}
    </Box>
  );
}
