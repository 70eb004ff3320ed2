/** A cursor over an in-memory list shown `height` rows at a time (state/list-cursor.ts, kept in range as the list changes). */
import { useCallback, useState } from 'react';
import { type ListCursor, START, clampCursor, moveCursor } from '../state/list-cursor.js';

export interface ListCursorControl extends ListCursor {
  move(delta: number): void;
}

export function useListCursor(count: number, height: number): ListCursorControl {
  const [state, setState] = useState<ListCursor>(START);
  const move = useCallback((delta: number) => setState((s) => moveCursor(s, delta, count, height)), [count, height]);
  // Rendered from the clamped state, so a shorter list never shows a cursor past its end.
  const shown = clampCursor(state, count, height);
  return { ...shown, move };
}
