/** The engine the screens call, given once by the app root. */
import { createContext, useContext } from 'react';
import type { TuiEngine } from '../engine.js';

export const EngineContext = createContext<TuiEngine | null>(null);

export function useEngine(): TuiEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine outside <EngineContext.Provider>');
  return engine;
}
