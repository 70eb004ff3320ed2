/** A small multi-line text editor for textarea fields: arrows move, Enter breaks the line, Ctrl-S keeps, Esc cancels. */
import { Box, Text, useInput } from 'ink';
import { useReducer } from 'react';
import { bufferText, textBuffer, textBufferReducer } from '../state/text-buffer.js';

export interface MultilineEditorProps {
  initial: string;
  onSubmit(text: string): void;
  onCancel(): void;
  height?: number;
  active?: boolean;
}

export function MultilineEditor({ initial, onSubmit, onCancel, height = 8, active = true }: MultilineEditorProps) {
  const [buffer, dispatch] = useReducer(textBufferReducer, initial, textBuffer);
  useInput(
    (input, key) => {
      if (key.ctrl && input === 's') onSubmit(bufferText(buffer));
      else if (key.escape) onCancel();
      else if (key.return) dispatch({ type: 'newline' });
      else if (key.backspace || key.delete) dispatch({ type: 'backspace' });
      else if (key.leftArrow) dispatch({ type: 'left' });
      else if (key.rightArrow) dispatch({ type: 'right' });
      else if (key.upArrow) dispatch({ type: 'up' });
      else if (key.downArrow) dispatch({ type: 'down' });
      else if (key.home) dispatch({ type: 'home' });
      else if (key.end) dispatch({ type: 'end' });
      else if (!key.ctrl && !key.meta && input !== '') dispatch({ type: 'insert', text: input });
    },
    { isActive: active },
  );
  const top = Math.max(0, Math.min(buffer.row - Math.floor(height / 2), buffer.lines.length - height));
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="cyan" paddingX={1}>
      {buffer.lines.slice(top, top + height).map((line, index) => {
        const row = top + index;
        if (row !== buffer.row) return <Text key={row}>{line === '' ? ' ' : line}</Text>;
        const at = line[buffer.col] ?? ' ';
        return (
          <Text key={row}>
            {line.slice(0, buffer.col)}
            <Text inverse>{at}</Text>
            {line.slice(buffer.col + 1)}
          </Text>
        );
      })}
      <Text dimColor>
        line {buffer.row + 1}/{buffer.lines.length} · Ctrl-S keep · Esc cancel
      </Text>
    </Box>
  );
}
