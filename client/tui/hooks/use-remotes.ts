/** The remotes screen's state, the check that each remote answers (again on r and each time the screen comes back), and its keys. */
import { useCallback, useReducer } from 'react';
import { describeError } from '../components/ErrorView.js';
import { type Binding, moveBindings } from '../keys.js';
import { type RemotesState, initialRemotes, remotesReducer } from '../state/remotes.js';
import type { RemoteListing } from '../../sync/remotes.js';
import { useEngine } from './use-engine.js';
import { type ListCursorControl, useListCursor } from './use-list-cursor.js';
import { useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';

export interface RemotesScreen {
  state: RemotesState;
  list: ListCursorControl;
  height: number;
  dataDir: string;
  bindings: Binding[];
}

export function useRemotes(): RemotesScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [state, dispatch] = useReducer(remotesReducer, undefined, () => initialRemotes(engine.remotes()));
  const height = Math.max(3, screenRows - 10);
  const list = useListCursor(state.remotes.length, height);

  // Every remote is asked at once; each answer shows as it comes.
  const check = useCallback(
    (listing: RemoteListing[]) => {
      dispatch({ type: 'checking', names: listing.map((r) => r.name) });
      for (const remote of listing) {
        engine.checkRemote(remote.name).then(
          (result) => dispatch({ type: 'answered', name: remote.name, trackers: result.trackers }),
          (error: unknown) => {
            const described = describeError(error);
            dispatch({ type: 'unreachable', name: remote.name, title: described.title, message: described.message });
          },
        );
      }
    },
    [engine],
  );

  useOnActive(() => {
    const listing = engine.remotes();
    const trackers = engine.trackers();
    dispatch({ type: 'listed', remotes: listing, local: { trackers: trackers.length, cloned: trackers.filter((t) => t.remote).length } });
    check(listing);
  });

  const current = state.remotes[list.cursor];
  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter', 'c'], label: 'clone from it', help: 'clone a tracker from the remote under the cursor', run: () => current && navigation.push({ screen: 'clone', remote: current.name }) },
    { keys: ['r'], label: 'check again', help: 'check again that each remote answers', run: () => check(state.remotes) },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
  return { state, list, height, dataDir: engine.dataDir, bindings };
}
