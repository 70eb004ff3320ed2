/** A cursor over a list of known length with a scrolled window of visible rows (pure). */

export interface ListCursor {
  cursor: number;
  /** Index of the first visible row. */
  top: number;
}

export const START: ListCursor = { cursor: 0, top: 0 };

/**
 * Moves the cursor by `delta` rows (±Infinity: first / last) in a list of `count` rows shown
 * `height` at a time, scrolling just enough to keep the cursor visible.
 */
export function moveCursor(state: ListCursor, delta: number, count: number, height: number): ListCursor {
  if (count <= 0) return START;
  const target = delta === Infinity ? count - 1 : delta === -Infinity ? 0 : state.cursor + delta;
  return scrollTo(Math.max(0, Math.min(count - 1, target)), state.top, count, height);
}

/** Keeps a cursor inside a list whose length changed (rows added or removed). */
export function clampCursor(state: ListCursor, count: number, height: number): ListCursor {
  if (count <= 0) return START;
  return scrollTo(Math.max(0, Math.min(count - 1, state.cursor)), state.top, count, height);
}

function scrollTo(cursor: number, top: number, count: number, height: number): ListCursor {
  const rows = Math.max(1, height);
  let nextTop = top;
  if (cursor < nextTop) nextTop = cursor;
  if (cursor >= nextTop + rows) nextTop = cursor - rows + 1;
  nextTop = Math.max(0, Math.min(nextTop, Math.max(0, count - rows)));
  return { cursor, top: nextTop };
}
