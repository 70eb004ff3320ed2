/**
 * The conflict review: per conflicting field, base / local / remote side by side (a textarea as
 * diff3 hunks); `l` takes local, `t` takes theirs, `e` edits a value of one's own; then `p`
 * pushes the items whose conflicts were all decided.
 */
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useCallback, useReducer, useState } from 'react';
import { STATUSES, STATUS_FIELD } from '../../../shared/model/fields.js';
import type { Take } from '../../sync/resolve.js';
import { ErrorView } from '../components/ErrorView.js';
import { HunkView } from '../components/HunkView.js';
import { MultilineEditor } from '../components/MultilineEditor.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { SideBySide } from '../components/SideBySide.js';
import { plural } from '../format.js';
import { useActive } from '../hooks/use-active.js';
import { useEngine } from '../hooks/use-engine.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { useTask } from '../hooks/use-task.js';
import { type Binding, moveBindings } from '../keys.js';
import { type ConflictEntry, conflictReviewReducer, currentEntry, initialConflictReview } from '../state/conflict-review.js';
import { showValue } from '../state/editor.js';

const ITEM_CHOICES: Record<'remote-deleted' | 'local-deleted', { local: string; remote: string }> = {
  'remote-deleted': { local: 'keep the item (push creates it again)', remote: 'delete it here too' },
  'local-deleted': { local: 'keep it deleted (push deletes it remotely)', remote: "restore it with the remote's values" },
};

export function ConflictReview({ trackerId, itemIds, start }: { trackerId: number; itemIds?: number[]; start?: number }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const runTask = useTask();
  const { columns } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [state, dispatch] = useReducer(conflictReviewReducer, undefined, () => {
    const entries = engine.conflicts(trackerId, itemIds);
    const at = start === undefined ? 0 : Math.max(0, entries.findIndex((e) => e.itemId === start));
    return { ...conflictReviewReducer(initialConflictReview(), { type: 'entries', entries }), cursor: at };
  });
  const entry = currentEntry(state);

  const load = useCallback(() => dispatch({ type: 'entries', entries: engine.conflicts(trackerId, itemIds) }), [engine, trackerId, itemIds]);
  useOnActive(load);

  const decide = (take: Take, value?: unknown) => {
    if (!entry) return;
    try {
      const result = engine.resolve(trackerId, entry.itemId, {
        take,
        ...(entry.field !== null ? { field: entry.field } : {}),
        ...(value !== undefined ? { value } : {}),
      });
      const what = take === 'local' ? 'local value kept' : take === 'remote' ? "remote value taken" : 'your value set';
      const message =
        entry.field === null ? `Item ${entry.itemId}: ${result.action}` : `Item ${entry.itemId}, ${entry.label}: ${what}${result.remaining.length > 0 ? ` (${result.remaining.length} more in conflict)` : ''}`;
      dispatch({ type: 'decided', itemId: entry.itemId, message, itemDone: result.remaining.length === 0 });
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

  const canEdit = entry !== undefined && entry.field !== null;
  const bindings: Binding[] = state.pushing
    ? [{ keys: [], show: 'Ctrl-C', label: 'cancel the push' }]
    : [
        ...moveBindings((delta) => dispatch({ type: 'move', delta }), 5).map((b) => (b.label === 'move' ? { ...b, label: 'field' } : b)),
        ...(entry
          ? [
              { keys: ['l'], label: 'take local', help: entry.field === null ? `take local: ${ITEM_CHOICES[entry.kind as 'remote-deleted'].local}` : 'keep your value', run: () => decide('local') },
              { keys: ['t'], label: 'take theirs', help: entry.field === null ? `take theirs: ${ITEM_CHOICES[entry.kind as 'remote-deleted'].remote}` : "take the remote's value", run: () => decide('remote') },
              ...(canEdit ? [{ keys: ['e'], label: 'edit', help: 'write the value yourself', run: () => dispatch({ type: 'edit', on: true }) }] : []),
            ]
          : []),
        ...(state.resolved.length > 0 ? [{ keys: ['p'], label: `push ${state.resolved.length} resolved`, help: 'push the items whose conflicts you decided', run: push }] : []),
        { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
      ];

  useInput(
    (_input, key) => {
      if (key.escape && entry?.type !== 'textarea') dispatch({ type: 'edit', on: false });
    },
    { isActive: active && state.editing },
  );

  const items = new Set(state.entries.map((e) => e.itemId)).size;
  const listTop = Math.max(0, Math.min(state.cursor - 2, state.entries.length - 5));
  return (
    <Screen
      title="Conflict review"
      context={`${tracker.name} · ${plural(items, 'item')}, ${plural(state.entries.length, 'conflict')} to decide`}
      bindings={bindings}
      keysActive={!state.editing}
      inputBindings={entry?.type === 'textarea' ? [{ keys: ['ctrl-s'], label: 'keep text' }, { keys: ['esc'], label: 'cancel' }] : [{ keys: ['enter'], label: 'use value' }, { keys: ['esc'], label: 'cancel' }]}
    >
      {state.entries.length === 0 ? (
        <Box flexDirection="column" marginY={1}>
          <Text color="green">No conflicts left to decide.</Text>
          {state.resolved.length > 0 ? <Text>p pushes the {plural(state.resolved.length, 'resolved item')}.</Text> : null}
        </Box>
      ) : (
        <Box flexDirection="column">
          {state.entries.slice(listTop, listTop + 5).map((e, index) => (
            <Row
              key={`${e.itemId}-${e.field ?? '*'}`}
              focused={listTop + index === state.cursor}
              cells={[{ text: `item ${e.itemId}`, width: 11 }, { text: e.title || '(no title)', width: 30 }, { text: e.field === null ? e.label : `${e.label} (${e.type})`, color: 'red' }]}
            />
          ))}
          {entry ? <EntryDetail entry={entry} columns={columns} /> : null}
          {state.editing && entry ? <ValueEditor entry={entry} fieldOptions={optionsOf(tracker.fields, entry)} active={active} onValue={(value) => decide('value', value)} onCancel={() => dispatch({ type: 'edit', on: false })} /> : null}
        </Box>
      )}
      {state.message ? <Text color="green">{state.message}</Text> : null}
      {state.pushing ? <ProgressBar label="Pushing" done={state.pushing.done} total={state.pushing.total} unit="items" /> : null}
      {state.report ? <ReportView title="Push" report={state.report} maxErrors={3} /> : null}
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function optionsOf(fields: { name: string; options?: string[] }[], entry: ConflictEntry): string[] | undefined {
  if (entry.field === STATUS_FIELD) return [...STATUSES];
  return fields.find((f) => f.name === entry.field)?.options;
}

function EntryDetail({ entry, columns }: { entry: ConflictEntry; columns: number }) {
  if (entry.field === null) {
    const choices = ITEM_CHOICES[entry.kind as 'remote-deleted' | 'local-deleted'];
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text>
          Item {entry.itemId} was <Text bold>{entry.label}</Text>.
        </Text>
        {(entry.edited ?? []).slice(0, 6).map((f) => (
          <Text key={f.name} wrap="truncate-end">
            {'  '}
            {f.label}: {showValue(f.base) || '—'} → {showValue(entry.kind === 'remote-deleted' ? f.local : f.remote) || '—'}
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

function ValueEditor({ entry, fieldOptions, active, onValue, onCancel }: { entry: ConflictEntry; fieldOptions: string[] | undefined; active: boolean; onValue: (value: unknown) => void; onCancel: () => void }) {
  if (entry.type === 'textarea') {
    return <MultilineEditor initial={showValue(entry.local)} onSubmit={onValue} onCancel={onCancel} active={active} />;
  }
  if (entry.type === 'dropdown' && fieldOptions) {
    return <Select options={fieldOptions.map((o) => ({ label: o, value: o }))} onChange={onValue} isDisabled={!active} />;
  }
  if (entry.type === 'multiselect' && fieldOptions) {
    return <MultiSelect options={fieldOptions.map((o) => ({ label: o, value: o }))} defaultValue={Array.isArray(entry.local) ? entry.local : []} onSubmit={onValue} isDisabled={!active} />;
  }
  return (
    <Box>
      <Text color="cyan">value: </Text>
      <TextInput defaultValue={showValue(entry.local)} onSubmit={onValue} isDisabled={!active} />
    </Box>
  );
}
