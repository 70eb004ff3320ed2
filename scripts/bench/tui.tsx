/**
 * The TUI's item list on 100k items: the time from a keypress to the frame that shows its
 * effect, measured on the real App and engine rendered by ink-testing-library (Ink's debug
 * mode writes every frame at once, so the time is React's and the store's, not a throttle's).
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { render } from 'ink-testing-library';
import { App } from '../../client/tui/App.js';
import { TuiEngine } from '../../client/tui/engine.js';
import { SqliteStore } from '../../server/store/index.js';
import { openLocalStore } from '../../client/replica/index.js';
import { FIELDS, benchItem } from './items.js';

export const TUI_ITEMS = 100_000;
const KEYS = { down: 'j', up: 'k', pageDown: '\u001B[6~', end: '\u001B[F', home: '\u001B[H' };
const BUILD_BATCH = 5000;

export interface KeyTimes {
  /** Every measured keypress, in ms. */
  all: number[];
  byKey: Record<string, number[]>;
  items: number;
}

/** A local tracker of `items` items in `dataDir` (reused when it is already there). */
function openTracker(dataDir: string, items: number): { store: SqliteStore; trackerId: number } {
  const fresh = !existsSync(dataDir);
  const store = openLocalStore(dataDir, { create: true });
  if (!fresh) return { store, trackerId: store.getTracker('tui').id };
  const tracker = store.createTracker({ name: 'tui', fields: FIELDS });
  for (let start = 0; start < items; start += BUILD_BATCH) {
    store.createItems(tracker.id, Array.from({ length: Math.min(BUILD_BATCH, items - start) }, (_, i) => benchItem(start + i)), null);
  }
  return { store, trackerId: tracker.id };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Renders the item list of tracker `trackerRef` in `dataDir` (a 100k-item local tracker is built when no tracker is given) and times keypresses. */
export async function tuiKeypress(dataDir: string, trackerRef: string | null, presses: number): Promise<KeyTimes> {
  const opened = trackerRef === null ? openTracker(dataDir, TUI_ITEMS) : (() => {
    const store = openLocalStore(dataDir);
    return { store, trackerId: store.getTracker(trackerRef).id };
  })();
  const { store, trackerId } = opened;
  const items = store.countItems(trackerId);
  const handle = render(<App engine={new TuiEngine(store)} first={{ screen: 'items', trackerId }} />);
  // The first frame that differs from the one before the key, with the time it was written.
  let watch: { before: string | undefined; at: number | null } | null = null;
  const write = handle.stdout.write;
  handle.stdout.write = (frame: string) => {
    write(frame);
    if (watch && watch.at === null && frame !== watch.before) watch.at = performance.now();
  };
  const waitFor = async (predicate: () => boolean, what: string) => {
    const deadline = performance.now() + 10_000;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`the TUI never showed ${what}; last frame:\n${handle.lastFrame() ?? ''}`);
      await settle();
    }
  };
  try {
    await waitFor(() => (handle.lastFrame() ?? '').includes(`1 of ${items}`), `"1 of ${items}"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const byKey: Record<string, number[]> = {};
    const press = async (name: keyof typeof KEYS) => {
      await settle();
      const seen: { before: string | undefined; at: number | null } = { before: handle.lastFrame(), at: null };
      watch = seen;
      const started = performance.now();
      handle.stdin.write(KEYS[name]);
      await waitFor(() => seen.at !== null, `a new frame after ${name}`);
      watch = null;
      (byKey[name] ??= []).push(seen.at! - started);
    };
    for (let i = 0; i < presses; i++) await press('down');
    for (let i = 0; i < Math.ceil(presses / 3); i++) await press('pageDown');
    await press('end');
    for (let i = 0; i < Math.ceil(presses / 3); i++) await press('up');
    await press('home');
    return { all: Object.values(byKey).flat(), byKey, items };
  } finally {
    handle.unmount();
    store.close();
  }
}
