/** The clone wizard's state and its calls to the remote (trackers, preview, the count a filter matches, the clone itself under Ctrl-C), and each step's keys. */
import { useInput } from 'ink';
import { type Dispatch, useEffect, useReducer } from 'react';
import { type Binding, moveBindings } from '../keys.js';
import type { TuiEngine } from '../engine.js';
import { type FilterCheck, buildFilter, checkFilter } from '../state/clone-filter.js';
import { type CloneWizardAction, type CloneWizardState, choiceCount, cloneWizardReducer, initialCloneWizard, leavesWizard } from '../state/clone-wizard.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useScreenSize } from './use-screen-size.js';
import { useTask } from './use-task.js';

export interface CloneWizardScreen {
  state: CloneWizardState;
  /** Rows of remotes or trackers shown at a time. */
  height: number;
  active: boolean;
  bindings: Binding[];
  /** The name typed in the rename input. */
  onName(name: string): void;
  /** A selector typed in the filter step. */
  onFilterText(text: string): void;
  /** The values typed (text) or picked (options) for the field of a condition. */
  onFilterValues(values: string | string[]): void;
}

/** The steps whose input owns the keyboard: Esc leaves them, the rest is theirs. */
const INPUT_STEPS: ReadonlySet<CloneWizardState['step']> = new Set(['name', 'filter', 'filter-values']);

export function useCloneWizard(remote?: string): CloneWizardScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const runTask = useTask();
  const { rows: screenRows } = useScreenSize();
  const [state, dispatch] = useReducer(cloneWizardReducer, undefined, () => initialCloneWizard(engine.remotes().map((r) => r.name), remote));
  const height = Math.max(3, screenRows - 8);

  // Entering the tracker step loads the remote's trackers; an answer for a step left meanwhile is dropped.
  useEffect(() => {
    if (state.step !== 'tracker' || !state.remote || state.trackers) return;
    let live = true;
    engine.remoteTrackers(state.remote).then(
      (trackers) => live && dispatch({ type: 'trackers', trackers }),
      (error: unknown) => live && dispatch({ type: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [engine, state.step, state.remote, state.trackers]);

  const pickTracker = () => {
    const tracker = state.trackers?.[state.cursor];
    if (!tracker || !state.remote) return;
    dispatch({ type: 'pick-tracker' });
    engine.previewClone(state.remote, tracker.id).then(
      (preview) => dispatch({ type: 'preview', preview }),
      (error: unknown) => dispatch({ type: 'failed', error }),
    );
  };

  const startClone = () => {
    const { preview } = state;
    if (!preview || preview.nameTaken) return;
    dispatch({ type: 'start' });
    const where = state.where ?? undefined;
    void runTask((signal) => engine.clone(preview.remote, preview.tracker.id, { as: state.name, where, signal, onProgress: (done, total) => dispatch({ type: 'progress', done, total }) })).then(
      (result) => dispatch({ type: 'done', trackerId: result.tracker.id, name: result.tracker.name, report: result.report }),
      (error: unknown) => dispatch({ type: 'failed', error }),
    );
  };

  // The rename, filter and values inputs own the keyboard; Esc leaves them unchanged.
  useInput(
    (_input, key) => {
      if (!key.escape) return;
      if (state.step === 'name') dispatch({ type: 'name', name: state.name, taken: state.preview?.nameTaken ?? false });
      else dispatch({ type: 'back' });
    },
    { isActive: active && INPUT_STEPS.has(state.step) },
  );
  const { onFilterText, onFilterValues } = useCloneFilter(engine, state, dispatch);

  const onName = (typed: string) => {
    const name = typed.trim();
    dispatch({ type: 'name', name, taken: name === '' || engine.nameTaken(name) });
  };
  return { state, height, active, onName, onFilterText, onFilterValues, bindings: wizardBindings(state, dispatch, navigation, height, { pickTracker, startClone }) };
}

/** The filter step: a selector typed or built, checked, and counted by the remote once set. */
function useCloneFilter(engine: TuiEngine, state: CloneWizardState, dispatch: Dispatch<CloneWizardAction>): Pick<CloneWizardScreen, 'onFilterText' | 'onFilterValues'> {
  // A filter set (or changed) is counted by the remote: how many of its items would be cloned.
  useEffect(() => {
    const { matching, preview } = state;
    if (!matching || matching.count !== null || matching.error || !preview) return;
    engine.countMatching(preview.remote, preview.tracker.id, matching.where).then(
      (count) => dispatch({ type: 'matching', where: matching.where, count }),
      (error: unknown) => dispatch({ type: 'matching', where: matching.where, count: null, error }),
    );
  }, [engine, state, dispatch]);
  const remoteFields = state.preview?.remoteFields ?? [];
  const onFilter = (check: FilterCheck) => dispatch(check.ok ? { type: 'filter-set', where: check.where } : { type: 'filter-refused', problems: check.problems });
  return {
    onFilterText: (text) => onFilter(checkFilter(remoteFields, text)),
    onFilterValues: (values) => {
      if (state.filterField) onFilter(buildFilter(remoteFields, state.where, state.filterField, values));
    },
  };
}

function wizardBindings(state: CloneWizardState, dispatch: Dispatch<CloneWizardAction>, navigation: Navigation, height: number, run: { pickTracker(): void; startClone(): void }): Binding[] {
  const move = (delta: number) => dispatch({ type: 'move', delta, count: choiceCount(state) });
  const back: Binding = {
    keys: ['esc', 'q'],
    label: state.step === 'done' ? 'done' : 'back',
    help: 'one step back; out of the wizard from its first step',
    run: () => (leavesWizard(state) ? navigation.back() : dispatch({ type: 'back' })),
  };
  switch (state.step) {
    case 'remote': {
      const picked = state.remotes[state.cursor];
      return [...moveBindings(move, height), { keys: ['enter'], label: 'pick remote', run: () => picked && dispatch({ type: 'pick-remote', remote: picked }) }, back];
    }
    case 'tracker':
      return [...moveBindings(move, height), { keys: ['enter'], label: 'preview clone', run: run.pickTracker }, back];
    case 'preview':
      return [
        { keys: ['enter', 'y'], label: 'clone', help: 'confirm: clone the tracker (with the filter, only its matching items)', run: run.startClone },
        { keys: ['e'], label: 'rename', help: 'choose the local name of the clone', run: () => dispatch({ type: 'rename' }) },
        { keys: ['f'], label: 'filter', help: 'a partial clone: type a selector, e.g. {"status": "open"}', run: () => dispatch({ type: 'filter-open', build: false }) },
        { keys: ['b'], label: 'build filter', help: 'a partial clone: pick a field and its values', run: () => dispatch({ type: 'filter-open', build: true }) },
        ...(state.where !== null ? [{ keys: ['x'], label: 'no filter', help: 'clone every item', run: () => dispatch({ type: 'filter-set', where: null }) }] : []),
        back,
      ];
    case 'filter-field':
      return [...moveBindings(move, height), { keys: ['enter'], label: 'pick field', run: () => dispatch({ type: 'filter-field' }) }, back];
    case 'name':
    case 'filter':
    case 'filter-values':
      return [];
    case 'cloning':
      return [{ keys: [], show: 'Ctrl-C', label: 'cancel (keeps what was loaded)' }];
    case 'done': {
      const cloned = state.result;
      return [
        { keys: ['enter'], label: 'open items', run: () => cloned && navigation.replace({ screen: 'items', trackerId: cloned.trackerId }) },
        { keys: ['s'], label: 'sync screen', run: () => cloned && navigation.replace({ screen: 'sync', trackerId: cloned.trackerId }) },
        back,
      ];
    }
  }
}
