/** The clone wizard: pick a remote, pick its tracker, preview the clone report, confirm, watch the progress. */
import { Spinner, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import type { FieldMapping } from '../../../shared/model/transform.js';
import { ErrorView } from '../components/ErrorView.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { useCloneWizard } from '../hooks/use-clone-wizard.js';
import type { CloneWizardState } from '../state/clone-wizard.js';

const ACTION_COLORS = { kept: 'green', transformed: 'yellow', skipped: 'red' } as const;

export function CloneWizard({ remote }: { remote?: string }) {
  const { state, height, active, bindings, onName } = useCloneWizard(remote);
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
      <Step state={state} height={height} onName={onName} active={active} />
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function Step({ state, height, onName, active }: { state: CloneWizardState; height: number; onName: (name: string) => void; active: boolean }) {
  switch (state.step) {
    case 'remote':
      return <RemoteStep state={state} height={height} />;
    case 'tracker':
      return <TrackerStep state={state} height={height} />;
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

function RemoteStep({ state, height }: { state: CloneWizardState; height: number }) {
  if (state.remotes.length === 0) return <Text>No remotes to clone from. Add one with `s15n remote add NAME URL --user USER --password-stdin`.</Text>;
  return (
    <Box flexDirection="column">
      <Text>Pick the remote to clone from:</Text>
      {state.remotes.slice(0, height).map((name, index) => (
        <Row key={name} focused={index === state.cursor} cells={[{ text: name }]} />
      ))}
    </Box>
  );
}

function TrackerStep({ state, height }: { state: CloneWizardState; height: number }) {
  if (state.loading || !state.trackers) return state.error ? null : <Spinner label={`Asking ${state.remote} for its trackers…`} />;
  if (state.trackers.length === 0) return <Text>{state.remote} shows no tracker to this user.</Text>;
  // The list scrolls only once the cursor passes its last row.
  const top = Math.max(0, state.cursor - height + 1);
  const focusedId = state.trackers[state.cursor]?.id;
  return (
    <Box flexDirection="column">
      <Text>Pick the tracker to clone:</Text>
      <Row header cells={[{ text: 'ID', width: 5 }, { text: 'Tracker', width: 24 }, { text: 'Description' }]} />
      {state.trackers.slice(top, top + height).map((t) => (
        <Row key={t.id} focused={t.id === focusedId} cells={[{ text: String(t.id), width: 5 }, { text: t.name, width: 24 }, { text: t.description ?? '', dim: true }]} />
      ))}
    </Box>
  );
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
        <MappingLine key={field.name} field={field} />
      ))}
      {state.step === 'preview' && !preview.nameTaken ? <Text>Press Enter to clone, Esc to go back.</Text> : null}
    </Box>
  );
}

/** One line of the clone report: what a remote field becomes here, and why. */
function MappingLine({ field }: { field: FieldMapping }) {
  return (
    <Row
      cells={[
        { text: field.name, width: 16 },
        { text: field.remoteType, width: 14 },
        { text: field.action, width: 12, color: ACTION_COLORS[field.action] },
        { text: field.action === 'skipped' ? '—' : (field.localType ?? field.remoteType), width: 11 },
        { text: field.reason ?? '', dim: true },
      ]}
    />
  );
}
