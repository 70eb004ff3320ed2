/** The clone wizard: pick a remote, pick its tracker, preview the clone report, a filter if wanted, confirm, watch the progress. */
import { MultiSelect, Spinner, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import type { FieldMapping } from '../../../shared/model/transform.js';
import { ErrorView } from '../components/ErrorView.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { useCloneWizard } from '../hooks/use-clone-wizard.js';
import type { Binding } from '../keys.js';
import { filterFields, filterOptions } from '../state/clone-filter.js';
import type { CloneWizardState } from '../state/clone-wizard.js';

const ACTION_COLORS = { kept: 'green', transformed: 'yellow', skipped: 'red' } as const;

type Wizard = ReturnType<typeof useCloneWizard>;

/** What the keys do while an input owns them: the name, the selector, the values of a condition. */
function inputKeys(state: CloneWizardState): Binding[] {
  const esc: Binding = { keys: ['esc'], label: 'cancel' };
  if (state.step === 'filter') return [{ keys: ['enter'], label: 'use this filter (empty: none)' }, esc];
  if (state.step === 'filter-values') {
    const pick = state.filterField && filterOptions(state.filterField);
    return pick ? [{ keys: ['space'], label: 'pick' }, { keys: ['enter'], label: 'use these values' }, esc] : [{ keys: ['enter'], label: 'use these values (comma-separated)' }, esc];
  }
  return [{ keys: ['enter'], label: 'use this name' }, esc];
}

export function CloneWizard({ remote }: { remote?: string }) {
  const wizard = useCloneWizard(remote);
  const { state, bindings } = wizard;
  return (
    <Screen
      title="Clone a tracker"
      context={state.remote ? `from ${state.remote}` : undefined}
      bindings={bindings}
      keysActive={!['name', 'filter', 'filter-values'].includes(state.step)}
      inputBindings={inputKeys(state)}
    >
      <Step wizard={wizard} />
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function Step({ wizard }: { wizard: Wizard }) {
  const { state, height, onName, active } = wizard;
  switch (state.step) {
    case 'remote':
      return <RemoteStep state={state} height={height} />;
    case 'tracker':
      return <TrackerStep state={state} height={height} />;
    case 'preview':
    case 'name':
      return <Preview state={state} onName={onName} active={active} />;
    case 'filter':
    case 'filter-field':
    case 'filter-values':
      return <FilterStep wizard={wizard} />;
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
      <FilterLine state={state} />
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

/** What the clone will hold: every item, or those the filter matches, as the remote counted them. */
function FilterLine({ state }: { state: CloneWizardState }) {
  if (state.where === null) return <Text dimColor>Filter: none, every item is cloned (f types a selector, b builds one from a field).</Text>;
  const { matching } = state;
  const count = !matching || matching.error ? 'the remote could not count them' : matching.count === null ? 'counting…' : `${matching.count} item${matching.count === 1 ? '' : 's'} match`;
  return (
    <Text>
      Filter: <Text bold>{state.where}</Text> — a partial clone, {count} (x: no filter).
    </Text>
  );
}

/** The filter steps: a selector typed, or a field picked and then its values. */
function FilterStep({ wizard }: { wizard: Wizard }) {
  const { state, height, active, onFilterText, onFilterValues } = wizard;
  const fields = filterFields(state.preview?.remoteFields ?? []);
  const field = state.filterField;
  const options = field ? filterOptions(field) : null;
  return (
    <Box flexDirection="column">
      {state.step === 'filter' ? (
        <>
          <Text>Clone only the items matching a selector (JSON: $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or on field names and status):</Text>
          <TextInput defaultValue={state.where ?? ''} placeholder='{"status": "open"}' onSubmit={onFilterText} isDisabled={!active} />
        </>
      ) : null}
      {state.step === 'filter-field' ? (
        <>
          <Text>Pick the field the items must match:</Text>
          {fields.slice(Math.max(0, state.cursor - height + 1)).slice(0, height).map((f) => (
            <Row key={f.name} focused={f.name === fields[state.cursor]?.name} cells={[{ text: f.name, width: 20 }, { text: f.type, dim: true }]} />
          ))}
        </>
      ) : null}
      {state.step === 'filter-values' && field ? (
        <>
          <Text>Items whose {field.name} is one of:</Text>
          {options ? (
            <MultiSelect options={options.map((o) => ({ label: o, value: o }))} onSubmit={onFilterValues} isDisabled={!active} />
          ) : (
            <TextInput placeholder="values, comma-separated" onSubmit={onFilterValues} isDisabled={!active} />
          )}
        </>
      ) : null}
      {(state.filterProblems ?? []).map((p) => (
        <Text key={`${p.field}:${p.reason}`} color="red">
          {p.field}: {p.reason}
        </Text>
      ))}
    </Box>
  );
}
