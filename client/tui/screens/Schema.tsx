/**
 * A tracker's schema: its fields with type, label, flags and options; on a tracker this instance
 * owns, `a` adds a field; `l` (label), `o` (options), `!` (required) and `*` (key, as in a field
 * spec) change the one under the cursor; `d` twice removes it.
 * A clone's schema is its remote's: shown, not edited.
 */
import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { ErrorView } from '../components/ErrorView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { useSchema } from '../hooks/use-schema.js';
import type { Binding } from '../keys.js';
import { type SchemaState, fieldFlags, optionsText } from '../state/schema.js';

const INPUT_KEYS: Binding[] = [
  { keys: ['enter'], label: 'apply' },
  { keys: ['esc'], label: 'cancel' },
];

const PROMPTS = { add: 'new field (name[!][*]:type[:options])', label: 'label', options: 'options (a, b, c)' } as const;

export function Schema({ trackerId }: { trackerId: number }) {
  const { tracker, state, list, height, active, bindings, onSubmit } = useSchema(trackerId);
  return (
    <Screen title="Schema" context={`${tracker.name}${state.origin ? ` · clone of ${state.origin}` : ''}`} bindings={bindings} keysActive={state.prompt === null} inputBindings={INPUT_KEYS}>
      <Row header cells={[{ text: 'Field', width: 16 }, { text: 'Type', width: 13 }, { text: 'Label', width: 20 }, { text: 'Flags', width: 13 }, { text: 'Options' }]} />
      {state.fields.length === 0 ? <Text dimColor>  No fields yet.</Text> : null}
      {state.fields.slice(list.top, list.top + height).map((field, index) => (
        <Row
          key={field.name}
          focused={list.top + index === list.cursor}
          cells={[{ text: field.name, width: 16 }, { text: field.type, width: 13 }, { text: field.label, width: 20 }, { text: fieldFlags(field), width: 13 }, { text: optionsText(field), dim: true }]}
        />
      ))}
      <Footer state={state} active={active} onSubmit={onSubmit} />
    </Screen>
  );
}

function Footer({ state, active, onSubmit }: { state: SchemaState; active: boolean; onSubmit: (text: string) => void }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.origin ? <Text dimColor>A clone follows the schema of {state.origin}: edit it there; the next reload brings the change here.</Text> : null}
      {state.prompt ? (
        <Box>
          <Text color="cyan">{PROMPTS[state.prompt.kind]}: </Text>
          <TextInput key={`${state.prompt.kind}-${'field' in state.prompt ? state.prompt.field : ''}`} defaultValue={state.prompt.initial} onSubmit={onSubmit} isDisabled={!active} />
        </Box>
      ) : null}
      {state.removing ? <Text color="yellow">Press d again to remove {state.removing} and its values from every item; Esc keeps it.</Text> : null}
      {state.message ? <Text color="green">{state.message}</Text> : null}
      {state.error ? <ErrorView error={state.error} /> : null}
    </Box>
  );
}
