/** The clone wizard: pick a remote, pick its tracker, preview the clone report, confirm, watch the progress. */
import { Spinner, TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useEffect, useReducer } from 'react';
import { ErrorView } from '../components/ErrorView.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { useActive } from '../hooks/use-active.js';
import { useEngine } from '../hooks/use-engine.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { useTask } from '../hooks/use-task.js';
import { type Binding, moveBindings } from '../keys.js';
import { type CloneWizardState, cloneWizardReducer, initialCloneWizard, leavesWizard } from '../state/clone-wizard.js';

const ACTION_COLORS = { kept: 'green', transformed: 'yellow', skipped: 'red' } as const;

export function CloneWizard({ remote }: { remote?: string }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const runTask = useTask();
  const { rows: screenRows } = useScreenSize();
  const [state, dispatch] = useReducer(cloneWizardReducer, undefined, () => initialCloneWizard(engine.remotes().map((r) => r.name), remote));
  const height = Math.max(3, screenRows - 8);

  // Entering the tracker step loads the remote's trackers.
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

  const count = state.step === 'remote' ? state.remotes.length : state.step === 'tracker' ? (state.trackers?.length ?? 0) : 0;
  const move = (delta: number) => dispatch({ type: 'move', delta, count });

  const pickTracker = () => {
    const tracker = state.trackers?.[state.cursor];
    if (!tracker || !state.remote) return;
    dispatch({ type: 'pick-tracker' });
    engine.previewClone(state.remote, tracker.id).then(
      (preview) => dispatch({ type: 'preview', preview }),
      (error: unknown) => dispatch({ type: 'failed', error }),
    );
  };

  const startClone = (current: CloneWizardState) => {
    const { preview } = current;
    if (!preview || preview.nameTaken) return;
    dispatch({ type: 'start' });
    void runTask((signal) =>
      engine.clone(preview.remote, preview.tracker.id, { as: current.name, signal, onProgress: (done, total) => dispatch({ type: 'progress', done, total }) }),
    ).then(
      (result) => dispatch({ type: 'done', trackerId: result.tracker.id, name: result.tracker.name, report: result.report }),
      (error: unknown) => dispatch({ type: 'failed', error }),
    );
  };

  const back = () => (leavesWizard(state) ? navigation.back() : dispatch({ type: 'back' }));
  const backBinding: Binding = { keys: ['esc', 'q'], label: state.step === 'done' ? 'done' : 'back', help: 'one step back; out of the wizard from its first step', run: back };

  const bindings: Binding[] = (() => {
    switch (state.step) {
      case 'remote':
        return [
          ...moveBindings(move, height),
          { keys: ['enter'], label: 'pick remote', run: () => state.remotes[state.cursor] && dispatch({ type: 'pick-remote', remote: state.remotes[state.cursor] as string }) },
          backBinding,
        ];
      case 'tracker':
        return [...moveBindings(move, height), { keys: ['enter'], label: 'preview clone', run: pickTracker }, backBinding];
      case 'preview':
        return [
          { keys: ['enter', 'y'], label: 'clone', help: 'confirm: clone the tracker', run: () => startClone(state) },
          { keys: ['e'], label: 'rename', help: 'choose the local name of the clone', run: () => dispatch({ type: 'rename' }) },
          backBinding,
        ];
      case 'name':
        return [];
      case 'cloning':
        return [{ keys: [], show: 'Ctrl-C', label: 'cancel (keeps what was loaded)' }];
      case 'done':
        return [
          { keys: ['enter'], label: 'open items', run: () => state.result && navigation.replace({ screen: 'items', trackerId: state.result.trackerId }) },
          { keys: ['s'], label: 'sync screen', run: () => state.result && navigation.replace({ screen: 'sync', trackerId: state.result.trackerId }) },
          backBinding,
        ];
    }
  })();

  // The rename input owns the keyboard; Esc leaves it without renaming.
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'name', name: state.name, taken: state.preview?.nameTaken ?? false });
    },
    { isActive: active && state.step === 'name' },
  );

  return (
    <Screen
      title="Clone a tracker"
      context={state.remote ? `from ${state.remote}` : undefined}
      bindings={bindings}
      keysActive={state.step !== 'name'}
      inputBindings={[
        { keys: ['enter'], label: 'use this name' },
        { keys: ['esc'], label: 'cancel' },
      ]}
    >
      <Step state={state} height={height} onName={(name) => dispatch({ type: 'name', name: name.trim(), taken: name.trim() === '' || engine.nameTaken(name.trim()) })} active={active} />
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function Step({ state, height, onName, active }: { state: CloneWizardState; height: number; onName: (name: string) => void; active: boolean }) {
  switch (state.step) {
    case 'remote':
      return state.remotes.length === 0 ? (
        <Text>No remotes to clone from. Add one with `s15n remote add NAME URL --user USER --password-stdin`.</Text>
      ) : (
        <Box flexDirection="column">
          <Text>Pick the remote to clone from:</Text>
          {state.remotes.slice(0, height).map((name, index) => (
            <Row key={name} focused={index === state.cursor} cells={[{ text: name }]} />
          ))}
        </Box>
      );
    case 'tracker':
      if (state.loading || !state.trackers) return state.error ? null : <Spinner label={`Asking ${state.remote} for its trackers…`} />;
      return state.trackers.length === 0 ? (
        <Text>{state.remote} shows no tracker to this user.</Text>
      ) : (
        <Box flexDirection="column">
          <Text>Pick the tracker to clone:</Text>
          <Row header cells={[{ text: 'ID', width: 5 }, { text: 'Tracker', width: 24 }, { text: 'Description' }]} />
          {state.trackers.slice(Math.max(0, state.cursor - height + 1), Math.max(0, state.cursor - height + 1) + height).map((t) => (
            <Row key={t.id} focused={t.id === state.trackers?.[state.cursor]?.id} cells={[{ text: String(t.id), width: 5 }, { text: t.name, width: 24 }, { text: t.description ?? '', dim: true }]} />
          ))}
        </Box>
      );
    case 'preview':
    case 'name':
      return <Preview state={state} onName={onName} active={active} />;
    case 'cloning':
      return <ProgressBar label={`Cloning ${state.preview?.tracker.name ?? ''}`} done={state.progress?.done ?? 0} total={state.progress?.total} />;
    case 'done':
      return state.result ? (
        <Box flexDirection="column">
          <Text color="green">
            Cloned as "{state.result.name}" (tracker {state.result.trackerId}).
          </Text>
          <ReportView title="Clone" report={state.result.report} />
        </Box>
      ) : null;
  }
}

function Preview({ state, onName, active }: { state: CloneWizardState; onName: (name: string) => void; active: boolean }) {
  const preview = state.preview;
  if (!preview) return null;
  return (
    <Box flexDirection="column">
      <Text>
        Clone <Text bold>{preview.remote}/{preview.tracker.name}</Text> as{' '}
        {state.step === 'name' ? <TextInput defaultValue={state.name} onSubmit={onName} isDisabled={!active} /> : <Text bold>{state.name}</Text>}
      </Text>
      {preview.nameTaken ? <Text color="red">A local tracker is named "{state.name}" already: press e to pick another name.</Text> : null}
      <Text dimColor>Clone report: what each remote field becomes here.</Text>
      <Row header cells={[{ text: 'Field', width: 16 }, { text: 'Remote type', width: 14 }, { text: 'Becomes', width: 12 }, { text: 'Local type', width: 11 }, { text: 'Why' }]} />
      {preview.fields.map((field) => (
        <Row
          key={field.name}
          cells={[
            { text: field.name, width: 16 },
            { text: field.remoteType, width: 14 },
            { text: field.action, width: 12, color: ACTION_COLORS[field.action] },
            { text: field.action === 'skipped' ? '—' : (field.localType ?? field.remoteType), width: 11 },
            { text: field.reason ?? '', dim: true },
          ]}
        />
      ))}
      {state.step === 'preview' && !preview.nameTaken ? <Text>Press Enter to clone, Esc to go back.</Text> : null}
    </Box>
  );
}
