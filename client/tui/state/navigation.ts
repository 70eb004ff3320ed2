/** The screen stack: Enter pushes a screen, Esc/q pops it, and popping the first screen quits. */

export type Route =
  | { screen: 'trackers' }
  | { screen: 'remotes' }
  | { screen: 'clone'; remote?: string }
  | { screen: 'items'; trackerId: number }
  | { screen: 'item'; trackerId: number; itemId: number }
  | { screen: 'edit'; trackerId: number; itemId: number }
  | { screen: 'new'; trackerId: number }
  | { screen: 'sync'; trackerId: number }
  /** All conflicts of the tracker (the cursor on `start`), or only those of `itemIds`. */
  | { screen: 'conflicts'; trackerId: number; itemIds?: number[]; start?: number }
  | { screen: 'log'; trackerId: number }
  | { screen: 'schema'; trackerId: number };

export interface NavigationState {
  stack: Route[];
  /** Set when the first screen was popped: the app exits. */
  quit: boolean;
}

export type NavigationAction =
  | { type: 'push'; route: Route }
  | { type: 'pop' }
  | { type: 'replace'; route: Route }
  | { type: 'quit' };

export function initialNavigation(first: Route = { screen: 'trackers' }): NavigationState {
  return { stack: [first], quit: false };
}

export function navigationReducer(state: NavigationState, action: NavigationAction): NavigationState {
  switch (action.type) {
    case 'push':
      return { ...state, stack: [...state.stack, action.route] };
    case 'pop':
      return state.stack.length <= 1 ? { ...state, quit: true } : { ...state, stack: state.stack.slice(0, -1) };
    case 'replace':
      return { ...state, stack: [...state.stack.slice(0, -1), action.route] };
    case 'quit':
      return { ...state, quit: true };
  }
}

export function currentRoute(state: NavigationState): Route {
  return state.stack[state.stack.length - 1] ?? { screen: 'trackers' };
}
