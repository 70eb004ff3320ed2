/**
 * The TUI root: the screen stack (every screen of the stack stays mounted, so going back finds
 * it as it was; only the top one is shown and takes keys), and Ctrl-C: it cancels the running
 * reload, push or clone, and quits otherwise.
 */
import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { ScreenBoundary } from './components/ScreenBoundary.js';
import type { TuiEngine } from './engine.js';
import { ActiveContext } from './hooks/use-active.js';
import { EngineContext } from './hooks/use-engine.js';
import { type Navigation, NavigationContext } from './hooks/use-navigation.js';
import { type TaskRegistry, TaskContext } from './hooks/use-task.js';
import { CloneWizard } from './screens/CloneWizard.js';
import { ConflictReview } from './screens/ConflictReview.js';
import { ItemEditor } from './screens/ItemEditor.js';
import { ItemList } from './screens/ItemList.js';
import { ItemView } from './screens/ItemView.js';
import { NewItem } from './screens/NewItem.js';
import { Remotes } from './screens/Remotes.js';
import { Schema } from './screens/Schema.js';
import { Sync } from './screens/Sync.js';
import { SyncLog } from './screens/SyncLog.js';
import { Trackers } from './screens/Trackers.js';
import { type Route, initialNavigation, navigationReducer } from './state/navigation.js';

function ScreenOf({ route }: { route: Route }) {
  switch (route.screen) {
    case 'trackers':
      return <Trackers />;
    case 'remotes':
      return <Remotes />;
    case 'clone':
      return <CloneWizard {...(route.remote ? { remote: route.remote } : {})} />;
    case 'items':
      return <ItemList trackerId={route.trackerId} />;
    case 'item':
      return <ItemView trackerId={route.trackerId} itemId={route.itemId} />;
    case 'edit':
      return <ItemEditor trackerId={route.trackerId} itemId={route.itemId} />;
    case 'new':
      return <NewItem trackerId={route.trackerId} />;
    case 'sync':
      return <Sync trackerId={route.trackerId} />;
    case 'conflicts':
      return <ConflictReview trackerId={route.trackerId} {...(route.itemIds ? { itemIds: route.itemIds } : {})} {...(route.start !== undefined ? { start: route.start } : {})} />;
    case 'log':
      return <SyncLog trackerId={route.trackerId} />;
    case 'schema':
      return <Schema trackerId={route.trackerId} />;
  }
}

export function App({ engine, first }: { engine: TuiEngine; first?: Route }) {
  const { exit } = useApp();
  const [navigation, dispatch] = useReducer(navigationReducer, first, initialNavigation);
  const tasks = useRef<TaskRegistry>({ current: null }).current;

  useEffect(() => {
    if (navigation.quit) exit();
  }, [navigation.quit, exit]);

  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (tasks.current) tasks.current.abort();
    else exit();
  });

  const stack = navigation.stack;
  const controls = useMemo<Navigation>(
    () => ({
      push: (route) => dispatch({ type: 'push', route }),
      back: () => dispatch({ type: 'pop' }),
      replace: (route) => dispatch({ type: 'replace', route }),
      quit: () => dispatch({ type: 'quit' }),
      isFirst: stack.length === 1,
    }),
    [stack.length],
  );

  return (
    <EngineContext.Provider value={engine}>
      <TaskContext.Provider value={tasks}>
        <NavigationContext.Provider value={controls}>
          {stack.map((route, index) => {
            const top = index === stack.length - 1;
            return (
              <ActiveContext.Provider key={`${index}-${route.screen}`} value={top}>
                <Box display={top ? 'flex' : 'none'} flexDirection="column">
                  <ScreenBoundary>
                    <ScreenOf route={route} />
                  </ScreenBoundary>
                </Box>
              </ActiveContext.Provider>
            );
          })}
        </NavigationContext.Provider>
      </TaskContext.Provider>
    </EngineContext.Provider>
  );
}
