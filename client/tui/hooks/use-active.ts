/** Whether a screen is the one on top of the stack: only that one takes keys and refreshes. */
import { createContext, useContext } from 'react';

export const ActiveContext = createContext(true);

export function useActive(): boolean {
  return useContext(ActiveContext);
}
