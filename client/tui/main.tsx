/** Starts the TUI on a store (the commands check for a terminal first); Ctrl-C is the app's (cancel or quit), not Ink's. */
import { render } from 'ink';
import { App } from './App.js';
import { type EngineOptions, TuiEngine } from './engine.js';
import type { Route } from './state/navigation.js';
import type { SqliteStore } from '../../server/store/index.js';

export interface TuiOptions extends EngineOptions {
  first?: Route;
}

/** Runs the TUI until the user quits. */
export async function runTui(store: SqliteStore, options: TuiOptions = {}): Promise<void> {
  const engine = new TuiEngine(store, options);
  const instance = render(<App engine={engine} {...(options.first ? { first: options.first } : {})} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
  // A live mode still on stops after its current batch, before the store closes.
  await engine.close();
}
