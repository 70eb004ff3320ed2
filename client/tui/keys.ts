/**
 * Key names and key bindings: one binding list per screen drives both the keyboard handling
 * (hooks/use-keys.ts) and what the help bar and the full help show, so they cannot disagree.
 */
import type { Key } from 'ink';

/** A key by name: a printable character ("a", "/", "?") or one of the named keys below. */
export type KeyName = string;

export interface Binding {
  /** Keys that trigger it, e.g. ['up', 'k']; the first one or two are shown in the help bar. */
  keys: KeyName[];
  /** Short label for the help bar, e.g. "push". */
  label: string;
  /** Longer text for the full help (?); the label when absent. */
  help?: string;
  /** Display-only bindings (keys a child input handles itself) have no run. */
  run?: () => void;
  /** Listed in the full help only, to keep the help bar on one line. */
  minor?: boolean;
  /** How the keys are written in the help, when not derived from `keys` (e.g. "↑/↓"). */
  show?: string;
}

/** The name of a keypress as Ink reports it; '' for keys s15n never binds. */
export function keyName(input: string, key: Key): KeyName {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  return input;
}

/** The binding a key triggers, if any (the first binding that lists it wins). */
export function findBinding(bindings: readonly Binding[], name: KeyName): Binding | undefined {
  if (name === '') return undefined;
  return bindings.find((binding) => binding.run !== undefined && binding.keys.includes(name));
}

const SHOWN: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  enter: 'Enter',
  esc: 'Esc',
  space: 'Space',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  tab: 'Tab',
  backspace: 'Bksp',
};

/** How a key is written in help texts: "↑", "Ctrl-C", "a". */
export function showKey(name: KeyName): string {
  if (name.startsWith('ctrl-')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return SHOWN[name] ?? name;
}

/** The keys of a binding as the help shows them: "↑/↓", "Esc/q". */
export function showKeys(binding: Binding, max = 2): string {
  if (binding.show !== undefined) return binding.show;
  return binding.keys.slice(0, max).map(showKey).join('/');
}

/** The usual movement bindings of a list. */
export function moveBindings(move: (delta: number) => void, page: number): Binding[] {
  return [
    { keys: ['down', 'j'], show: '↑/↓', label: 'move', help: 'move down (j) or up (k)', run: () => move(1) },
    { keys: ['up', 'k'], label: 'up', help: 'move up', run: () => move(-1), minor: true },
    { keys: ['pageup'], label: 'page up', run: () => move(-page), minor: true },
    { keys: ['pagedown'], label: 'page down', run: () => move(page), minor: true },
    { keys: ['home', 'g'], label: 'first', run: () => move(-Infinity), minor: true },
    { keys: ['end', 'G'], label: 'last', run: () => move(Infinity), minor: true },
  ];
}
