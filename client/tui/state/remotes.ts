/** The remotes screen's state (pure): the remotes, whether each one answers, and what this instance holds. */
import type { RemoteListing } from '../../sync/remotes.js';

/** What a remote answered to the last check. */
export type Reach = { state: 'checking' } | { state: 'ok'; trackers: number } | { state: 'failed'; title: string; message: string };

export interface RemotesState {
  remotes: RemoteListing[];
  reach: Record<string, Reach>;
  /** This instance: its trackers, and how many of them are clones. */
  local: { trackers: number; cloned: number };
}

export type RemotesAction =
  | { type: 'listed'; remotes: RemoteListing[]; local: { trackers: number; cloned: number } }
  | { type: 'checking'; names: string[] }
  | { type: 'answered'; name: string; trackers: number }
  | { type: 'unreachable'; name: string; title: string; message: string };

export function initialRemotes(remotes: RemoteListing[]): RemotesState {
  return { remotes, reach: {}, local: { trackers: 0, cloned: 0 } };
}

export function remotesReducer(state: RemotesState, action: RemotesAction): RemotesState {
  switch (action.type) {
    case 'listed':
      return { ...state, remotes: action.remotes, local: action.local };
    case 'checking':
      // A new check forgets every earlier answer, also those of remotes no longer listed.
      return { ...state, reach: Object.fromEntries(action.names.map((name) => [name, { state: 'checking' } as Reach])) };
    case 'answered':
      return { ...state, reach: { ...state.reach, [action.name]: { state: 'ok', trackers: action.trackers } } };
    case 'unreachable':
      return { ...state, reach: { ...state.reach, [action.name]: { state: 'failed', title: action.title, message: action.message } } };
  }
}
