/**
 * Long work (clone, reload, push) that Ctrl-C cancels: the app root holds the controller of the
 * running task, so its Ctrl-C handler aborts the work instead of quitting while it runs.
 */
import { createContext, useCallback, useContext } from 'react';

export interface TaskRegistry {
  /** The controller of the running task, if any. */
  current: AbortController | null;
}

export const TaskContext = createContext<TaskRegistry>({ current: null });

/** Runs `work` with an AbortSignal that Ctrl-C triggers; one task at a time. */
export function useTask(): <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T> {
  const registry = useContext(TaskContext);
  return useCallback(
    async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
      const controller = new AbortController();
      registry.current = controller;
      try {
        return await work(controller.signal);
      } finally {
        if (registry.current === controller) registry.current = null;
      }
    },
    [registry],
  );
}
