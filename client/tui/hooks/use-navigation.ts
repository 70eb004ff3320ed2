/** Moving between screens: push a screen, go back, replace the current one, quit. */
import { createContext, useContext } from 'react';
import type { Route } from '../state/navigation.js';

export interface Navigation {
  push(route: Route): void;
  back(): void;
  replace(route: Route): void;
  quit(): void;
  /** Whether the current screen is the first one (q there quits). */
  isFirst: boolean;
}

export const NavigationContext = createContext<Navigation | null>(null);

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error('useNavigation outside <NavigationContext.Provider>');
  return navigation;
}
