/** CSV in and out from the trackers screen: E exports the tracker under the cursor, I imports into it after a dry run (Enter confirms). */
import { resolve } from 'node:path';
import { useInput } from 'ink';
import type { Dispatch } from 'react';
import { describeImport } from '../../../server/csv.js';
import type { TrackerRow } from '../engine.js';
import type { Binding } from '../keys.js';
import type { TrackersAction, TrackersState } from '../state/trackers.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';

export interface TrackerCsv {
  /** E and I on a tracker row. */
  bindings(row: TrackerRow | undefined): Binding[];
  /** The keys while a dry run waits for Enter. */
  confirming: Binding[] | null;
  onPath(text: string): void;
}

export function useTrackerCsv(state: TrackersState, dispatch: Dispatch<TrackersAction>, reload: () => void): TrackerCsv {
  const engine = useEngine();
  const active = useActive();
  const csv = state.csv;
  const fail = (error: unknown) => dispatch({ type: 'failed', error });

  // Esc closes the file name input, changing nothing.
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'csv', csv: null });
    },
    { isActive: active && csv !== null && csv.step !== 'confirm' },
  );

  const onPath = (text: string) => {
    if (!csv || csv.step === 'confirm') return;
    const path = resolve(text.trim() || `${csv.name}.csv`);
    if (csv.step === 'export') {
      engine.trackerTools.exportCsv(csv.trackerId, path).then((count) => {
        dispatch({ type: 'csv', csv: null });
        dispatch({ type: 'notice', notice: `Exported ${count} item${count === 1 ? '' : 's'} of ${csv.name} to ${path}` });
      }, fail);
      return;
    }
    engine.trackerTools.importCsv(csv.trackerId, path, true).then((report) => dispatch({ type: 'csv', csv: { ...csv, step: 'confirm', path, preview: describeImport(report) } }), fail);
  };

  const confirm = () => {
    if (csv?.step !== 'confirm') return;
    engine.trackerTools.importCsv(csv.trackerId, csv.path, false).then((report) => {
      dispatch({ type: 'csv', csv: null });
      dispatch({ type: 'notice', notice: describeImport(report) });
      reload();
    }, fail);
  };

  return {
    bindings: (row) =>
      row
        ? [
            { keys: ['E'], label: 'export CSV', help: 'export the items of the tracker under the cursor as CSV', run: () => dispatch({ type: 'csv', csv: { step: 'export', trackerId: row.id, name: row.name } }), minor: true },
            { keys: ['I'], label: 'import CSV', help: 'import a CSV file into the tracker under the cursor (a dry run first)', run: () => dispatch({ type: 'csv', csv: { step: 'import', trackerId: row.id, name: row.name } }), minor: true },
          ]
        : [],
    confirming:
      csv?.step === 'confirm'
        ? [
            { keys: ['enter'], label: 'import', help: 'import the file as the dry run says', run: confirm },
            { keys: ['esc', 'q'], label: 'cancel', help: 'import nothing', run: () => dispatch({ type: 'csv', csv: null }) },
          ]
        : null,
    onPath,
  };
}
