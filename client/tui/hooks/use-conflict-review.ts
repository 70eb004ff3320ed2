/** The conflict review's state, the decisions written to the replica, the push of the resolved items under Ctrl-C, and its keys. */
import { useInput } from 'ink';
import { type Dispatch, useCallback, useReducer, useState } from 'react';
import type { Tracker } from '../../../server/store/index.js';
import type { Take } from '../../sync/resolve.js';
import type { TuiEngine } from '../engine.js';
import { type Binding, moveBindings } from '../keys.js';
import {
  type ConflictEntry,
  type ConflictReviewAction,
  type ConflictReviewState,
  conflictReviewReducer,
  currentEntry,
  decisionMessage,
  initialConflictReview,
  itemChoices,
} from '../state/conflict-review.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useTask } from './use-task.js';

export interface ConflictReviewScreen {
  tracker: Tracker;
  state: ConflictReviewState;
  entry: ConflictEntry | undefined;
  columns: number;
  active: boolean;
  bindings: Binding[];
  /** A value of one's own, from the value editor. */
  onValue(value: unknown): void;
  onCancelEdit(): void;
}

interface Decisions {
  decide(take: Take, value?: unknown): void;
  push(): void;
}

export function useConflictReview(trackerId: number, itemIds?: number[], start?: number): ConflictReviewScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const { columns } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [state, dispatch] = useReducer(conflictReviewReducer, undefined, () => initialConflictReview(engine.conflicts(trackerId, itemIds), start));
  const entry = currentEntry(state);

  const load = useCallback(() => dispatch({ type: 'entries', entries: engine.conflicts(trackerId, itemIds) }), [engine, trackerId, itemIds]);
  useOnActive(load);
  const decisions = useDecisions(engine, trackerId, state, dispatch, load);

  // A one-line or pick-list value editor closes on Esc; the multi-line editor handles its own.
  useInput(
    (_input, key) => {
      if (key.escape && entry?.type !== 'textarea') dispatch({ type: 'edit', on: false });
    },
    { isActive: active && state.editing },
  );
  return {
    tracker,
    state,
    entry,
    columns,
    active,
    bindings: reviewBindings(state, dispatch, navigation, decisions),
    onValue: (value) => decisions.decide('value', value),
    onCancelEdit: () => dispatch({ type: 'edit', on: false }),
  };
}

function useDecisions(engine: TuiEngine, trackerId: number, state: ConflictReviewState, dispatch: Dispatch<ConflictReviewAction>, load: () => void): Decisions {
  const runTask = useTask();
  const entry = currentEntry(state);
  const decide = (take: Take, value?: unknown) => {
    if (!entry) return;
    try {
      const result = engine.resolve(trackerId, entry.itemId, { take, ...(entry.field !== null ? { field: entry.field } : {}), ...(value !== undefined ? { value } : {}) });
      dispatch({ type: 'decided', itemId: entry.itemId, message: decisionMessage(entry, take, result), itemDone: result.remaining.length === 0 });
      load();
    } catch (error) {
      dispatch({ type: 'failed', error });
    }
  };
  const push = () => {
    if (state.resolved.length === 0) return;
    const ids = [...state.resolved];
    dispatch({ type: 'push-start' });
    void runTask((signal) => engine.push(trackerId, ids, { signal, onProgress: (done, total) => dispatch({ type: 'push-progress', done, total }) })).then(
      (report) => {
        dispatch({ type: 'push-done', report });
        load();
      },
      (error: unknown) => dispatch({ type: 'failed', error }),
    );
  };
  return { decide, push };
}

function reviewBindings(state: ConflictReviewState, dispatch: Dispatch<ConflictReviewAction>, navigation: Navigation, { decide, push }: Decisions): Binding[] {
  if (state.pushing) return [{ keys: [], show: 'Ctrl-C', label: 'cancel the push' }];
  const entry = currentEntry(state);
  const choices = entry ? itemChoices(entry) : null;
  return [
    ...moveBindings((delta) => dispatch({ type: 'move', delta }), 5).map((b) => (b.label === 'move' ? { ...b, label: 'field' } : b)),
    ...(entry
      ? [
          { keys: ['l'], label: 'take local', help: choices ? `take local: ${choices.local}` : 'keep your value', run: () => decide('local') },
          { keys: ['t'], label: 'take theirs', help: choices ? `take theirs: ${choices.remote}` : "take the remote's value", run: () => decide('remote') },
          // A deletion against an edit is decided for the whole item: there is no value to write.
          ...(entry.field !== null && !entry.removed ? [{ keys: ['e'], label: 'edit', help: 'write the value yourself', run: () => dispatch({ type: 'edit', on: true }) }] : []),
        ]
      : []),
    ...(state.resolved.length > 0 ? [{ keys: ['p'], label: `push ${state.resolved.length} resolved`, help: 'push the items whose conflicts you decided', run: push }] : []),
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
}
