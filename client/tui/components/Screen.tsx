/**
 * The frame of every screen: its title, its content, the help bar with its keys, and the full
 * help on `?`. The screen's bindings are handled here (hooks/use-keys), so the keys shown are
 * exactly the keys that work.
 */
import { Box, Text, useInput } from 'ink';
import { type ReactNode, useState } from 'react';
import { useActive } from '../hooks/use-active.js';
import { useKeys } from '../hooks/use-keys.js';
import type { Binding } from '../keys.js';
import { FullHelp } from './FullHelp.js';
import { HelpBar } from './HelpBar.js';

export interface ScreenProps {
  title: string;
  /** Shown after the title, dimmed: where this is (tracker, remote). */
  context?: string;
  bindings: Binding[];
  /** False while a child input owns the keyboard; `inputBindings` are shown instead. */
  keysActive?: boolean;
  inputBindings?: Binding[];
  children: ReactNode;
}

export function Screen({ title, context, bindings, keysActive = true, inputBindings, children }: ScreenProps) {
  const active = useActive();
  const [help, setHelp] = useState(false);
  const all: Binding[] = [...bindings, { keys: ['?'], label: 'help', help: 'this help', run: () => setHelp(true) }];
  useKeys(all, active && keysActive && !help);
  useInput(
    (input, key) => {
      if (!(key.ctrl && input === 'c')) setHelp(false);
    },
    { isActive: active && help },
  );
  const shown = keysActive ? all : (inputBindings ?? []);
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold color="magenta">
          s15n
        </Text>
        <Text bold> {title}</Text>
        {context ? <Text dimColor> {context}</Text> : null}
      </Box>
      {help ? <FullHelp title={title} bindings={shown} /> : <Box flexDirection="column">{children}</Box>}
      <HelpBar bindings={shown} />
    </Box>
  );
}
