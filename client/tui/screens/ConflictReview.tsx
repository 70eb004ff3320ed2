/**
 * The conflict review: per conflicting field, base / local / remote side by side (a textarea as
 * diff3 hunks); `l` takes local, `t` takes theirs, `e` edits a value of one's own; then `p`
 * pushes the items whose conflicts were all decided.
 */
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { ErrorView } from '../components/ErrorView.js';
import { HunkView } from '../components/HunkView.js';
import { MultilineEditor } from '../components/MultilineEditor.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { SideBySide } from '../components/SideBySide.js';
import { plural } from '../format.js';
import { useConflictReview } from '../hooks/use-conflict-review.js';
import type { Binding } from '../keys.js';
import { type ConflictEntry, type ConflictReviewState, fieldOptions, itemChoices } from '../state/conflict-review.js';
import { showValue } from '../state/editor.js';

/** Conflicts listed above the one under review. */
const LIST_ROWS = 5;

const TEXTAREA_KEYS: Binding[] = [
  { keys: ['ctrl-s'], label: 'keep text' },
  { keys: ['esc'], label: 'cancel' },
];
const VALUE_KEYS: Binding[] = [
  { keys: ['enter'], label: 'use value' },
  { keys: ['esc'], label: 'cancel' },
];

export function ConflictReview({ trackerId, itemIds, start }: { trackerId: number; itemIds?: number[]; start?: number }) {
  const review = useConflictReview(trackerId, itemIds, start);
  const { tracker, state, entry, active } = review;
  const items = new Set(state.entries.map((e) => e.itemId)).size;
  return (
    <Screen
      title="Conflict review"
      context={`${tracker.name} · ${plural(items, 'item')}, ${plural(state.entries.length, 'conflict')} to decide`}
      bindings={review.bindings}
      keysActive={!state.editing}
      inputBindings={entry?.type === 'textarea' ? TEXTAREA_KEYS : VALUE_KEYS}
    >
      {state.entries.length === 0 ? (
        <NothingLeft resolved={state.resolved.length} />
      ) : (
        <Box flexDirection="column">
          <ConflictList state={state} />
          {entry ? <EntryDetail entry={entry} columns={review.columns} /> : null}
          {state.editing && entry ? <ValueEditor entry={entry} options={fieldOptions(tracker.fields, entry)} active={active} onValue={review.onValue} onCancel={review.onCancelEdit} /> : null}
        </Box>
      )}
      {state.message ? <Text color="green">{state.message}</Text> : null}
      {state.pushing ? <ProgressBar label="Pushing" done={state.pushing.done} total={state.pushing.total} unit="items" /> : null}
      {state.report ? <ReportView title="Push" report={state.report} maxErrors={3} /> : null}
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function NothingLeft({ resolved }: { resolved: number }) {
  return (
    <Box flexDirection="column" marginY={1}>
      <Text color="green">No conflicts left to decide.</Text>
      {resolved > 0 ? <Text>p pushes the {plural(resolved, 'resolved item')}.</Text> : null}
    </Box>
  );
}

/** A few conflicts around the one under the cursor: item, title, field. */
function ConflictList({ state }: { state: ConflictReviewState }) {
  const top = Math.max(0, Math.min(state.cursor - 2, state.entries.length - LIST_ROWS));
  return (
    <>
      {state.entries.slice(top, top + LIST_ROWS).map((e, index) => (
        <Row
          key={`${e.itemId}-${e.field ?? '*'}`}
          focused={top + index === state.cursor}
          cells={[{ text: `item ${e.itemId}`, width: 11 }, { text: e.title || '(no title)', width: 30 }, { text: e.field === null ? e.label : `${e.label} (${e.type})`, color: 'red' }]}
        />
      ))}
    </>
  );
}

function RemovedField({ entry, choices }: { entry: ConflictEntry; choices: { local: string; remote: string } }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold>{entry.label}</Text> was removed on the remote; item {entry.itemId} holds a value of it that was never pushed:
      </Text>
      <Text wrap="truncate-end">
        {'  '}yours: {showValue(entry.local) || '—'} (last agreed: {showValue(entry.base) || '—'})
      </Text>
      <Text>
        <Text color="cyan">l</Text> {choices.local} · <Text color="cyan">t</Text> {choices.remote}
      </Text>
    </Box>
  );
}

function EntryDetail({ entry, columns }: { entry: ConflictEntry; columns: number }) {
  const choices = itemChoices(entry);
  if (choices && entry.removed) return <RemovedField entry={entry} choices={choices} />;
  if (choices) {
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text>
          Item {entry.itemId} was <Text bold>{entry.label}</Text>.
        </Text>
        {(entry.edited ?? []).slice(0, 6).map((f) => (
          <Text key={f.name} wrap="truncate-end">
            {'  '}
            {f.label}: {showValue(f.base) || '—'} → {showValue(entry.kind === 'local-deleted' ? f.remote : f.local) || '—'}
          </Text>
        ))}
        <Text>
          <Text color="cyan">l</Text> {choices.local} · <Text color="cyan">t</Text> {choices.remote}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold>{entry.label}</Text> of item {entry.itemId} was changed on both sides:
      </Text>
      {entry.hunks && entry.hunks.length > 0 ? <HunkView hunks={entry.hunks} /> : <SideBySide base={entry.base} local={entry.local} remote={entry.remote} columns={columns} />}
    </Box>
  );
}

/** The input for a value of one's own, by the field's type; it starts from the local value. */
function ValueEditor({ entry, options, active, onValue, onCancel }: { entry: ConflictEntry; options: string[] | undefined; active: boolean; onValue: (value: unknown) => void; onCancel: () => void }) {
  if (entry.type === 'textarea') {
    return <MultilineEditor initial={showValue(entry.local)} onSubmit={onValue} onCancel={onCancel} active={active} />;
  }
  if (entry.type === 'dropdown' && options) {
    return <Select options={options.map((o) => ({ label: o, value: o }))} onChange={onValue} isDisabled={!active} />;
  }
  if (entry.type === 'multiselect' && options) {
    return <MultiSelect options={options.map((o) => ({ label: o, value: o }))} defaultValue={Array.isArray(entry.local) ? entry.local.filter((o): o is string => typeof o === 'string') : []} onSubmit={onValue} isDisabled={!active} />;
  }
  return (
    <Box>
      <Text color="cyan">value: </Text>
      <TextInput defaultValue={showValue(entry.local)} onSubmit={onValue} isDisabled={!active} />
    </Box>
  );
}
