/** Routes keypresses to a screen's bindings; inactive while a child input (filter, editor) owns the keyboard. */
import { useInput } from 'ink';
import { useRef } from 'react';
import { type Binding, findBinding, keyName } from '../keys.js';

export function useKeys(bindings: readonly Binding[], active = true): void {
  // The latest bindings, without re-subscribing to stdin on every render.
  const current = useRef(bindings);
  current.current = bindings;
  useInput(
    (input, key) => {
      // Ctrl-C belongs to the app (cancel the running work, or quit).
      if (key.ctrl && input === 'c') return;
      findBinding(current.current, keyName(input, key))?.run?.();
    },
    { isActive: active },
  );
}
