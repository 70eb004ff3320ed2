/** Runs a screen's refresh after commits to the instance, by this process or any other, while the screen is on top. */
import { useEffect, useRef } from 'react';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';

/** Commits come in bursts (a live batch, an edit of many items): one refresh for each burst. */
const COALESCE_MS = 50;

export function useStoreChange(onChange: () => void): void {
  const engine = useEngine();
  const active = useActive();
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (!active) return undefined;
    let timer: NodeJS.Timeout | null = null;
    const unsubscribe = engine.onChange(() => {
      timer ??= setTimeout(() => {
        timer = null;
        latest.current();
      }, COALESCE_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [engine, active]);
}
