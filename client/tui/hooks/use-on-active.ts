/** Runs `load` when the screen opens and each time it comes back on top (data may have changed meanwhile). */
import { useEffect, useRef } from 'react';
import { useActive } from './use-active.js';

export function useOnActive(load: () => void): void {
  const active = useActive();
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (active) latest.current();
  }, [active]);
}
