/** The multi-line editor's text and cursor (pure): what a textarea field is edited with. */

export interface TextBuffer {
  lines: string[];
  row: number;
  col: number;
}

export type TextBufferAction =
  | { type: 'insert'; text: string }
  | { type: 'newline' }
  | { type: 'backspace' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'up' }
  | { type: 'down' }
  | { type: 'home' }
  | { type: 'end' };

export function textBuffer(text: string): TextBuffer {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const row = lines.length - 1;
  return { lines, row, col: (lines[row] ?? '').length };
}

export function bufferText(buffer: TextBuffer): string {
  return buffer.lines.join('\n');
}

function line(buffer: TextBuffer, row = buffer.row): string {
  return buffer.lines[row] ?? '';
}

export function textBufferReducer(state: TextBuffer, action: TextBufferAction): TextBuffer {
  const current = line(state);
  switch (action.type) {
    case 'insert': {
      // A paste arrives as one input: it may hold line breaks.
      const parts = action.text.replace(/\r\n?/g, '\n').split('\n');
      const before = current.slice(0, state.col);
      const after = current.slice(state.col);
      if (parts.length === 1) {
        const lines = [...state.lines];
        lines[state.row] = before + action.text + after;
        return { lines, row: state.row, col: state.col + action.text.length };
      }
      const last = parts[parts.length - 1] ?? '';
      const inserted = [before + (parts[0] ?? ''), ...parts.slice(1, -1), last + after];
      const lines = [...state.lines.slice(0, state.row), ...inserted, ...state.lines.slice(state.row + 1)];
      return { lines, row: state.row + parts.length - 1, col: last.length };
    }
    case 'newline': {
      const lines = [...state.lines.slice(0, state.row), current.slice(0, state.col), current.slice(state.col), ...state.lines.slice(state.row + 1)];
      return { lines, row: state.row + 1, col: 0 };
    }
    case 'backspace': {
      if (state.col > 0) {
        const lines = [...state.lines];
        lines[state.row] = current.slice(0, state.col - 1) + current.slice(state.col);
        return { lines, row: state.row, col: state.col - 1 };
      }
      if (state.row === 0) return state;
      const previous = line(state, state.row - 1);
      const lines = [...state.lines.slice(0, state.row - 1), previous + current, ...state.lines.slice(state.row + 1)];
      return { lines, row: state.row - 1, col: previous.length };
    }
    case 'left':
      if (state.col > 0) return { ...state, col: state.col - 1 };
      return state.row > 0 ? { ...state, row: state.row - 1, col: line(state, state.row - 1).length } : state;
    case 'right':
      if (state.col < current.length) return { ...state, col: state.col + 1 };
      return state.row < state.lines.length - 1 ? { ...state, row: state.row + 1, col: 0 } : state;
    case 'up':
      return state.row > 0 ? { ...state, row: state.row - 1, col: Math.min(state.col, line(state, state.row - 1).length) } : { ...state, col: 0 };
    case 'down':
      return state.row < state.lines.length - 1
        ? { ...state, row: state.row + 1, col: Math.min(state.col, line(state, state.row + 1).length) }
        : { ...state, col: current.length };
    case 'home':
      return { ...state, col: 0 };
    case 'end':
      return { ...state, col: current.length };
  }
}
