/**
 * The attachments input of the item editor (pure): the files of the field as they will be saved,
 * the one under the cursor, and whether a path is being typed (attach) or a file is being read.
 * Detaching and attaching follow the one rule of shared/model/files.ts.
 */
import { type FileRef, attachFiles } from '../../../shared/model/files.js';

export interface FilesInputState {
  files: FileRef[];
  cursor: number;
  /** list: move and detach; path: a path is typed; reading: its content is being stored. */
  mode: 'list' | 'path' | 'reading';
  /** What the last attach said: the file it added, or why it could not. */
  message: { text: string; error: boolean } | null;
}

export type FilesInputAction =
  | { type: 'move'; delta: number }
  | { type: 'detach' }
  | { type: 'ask-path' }
  | { type: 'cancel-path' }
  | { type: 'reading' }
  | { type: 'attached'; file: FileRef }
  | { type: 'failed'; reason: string };

export function initialFilesInput(files: readonly FileRef[] | null | undefined): FilesInputState {
  return { files: [...(files ?? [])], cursor: 0, mode: 'list', message: null };
}

export function filesInputReducer(state: FilesInputState, action: FilesInputAction): FilesInputState {
  switch (action.type) {
    case 'move':
      return { ...state, cursor: Math.max(0, Math.min(state.files.length - 1, state.cursor + action.delta)) };
    case 'detach': {
      const gone = state.files[state.cursor];
      if (!gone || state.mode !== 'list') return state;
      const files = state.files.filter((_, i) => i !== state.cursor);
      return { ...state, files, cursor: Math.min(state.cursor, Math.max(0, files.length - 1)), message: { text: `detached ${gone.name}`, error: false } };
    }
    case 'ask-path':
      return state.mode === 'list' ? { ...state, mode: 'path', message: null } : state;
    case 'cancel-path':
      return { ...state, mode: 'list' };
    case 'reading':
      return { ...state, mode: 'reading' };
    case 'attached': {
      const { value, replaced } = attachFiles(state.files, [action.file]);
      const files = value ?? [];
      const text = `attached ${action.file.name}${replaced.length > 0 ? ` (replaces ${replaced.map((f) => f.name).join(', ')})` : ''}`;
      return { files, cursor: Math.max(0, files.findIndex((f) => f.sha256 === action.file.sha256)), mode: 'list', message: { text, error: false } };
    }
    case 'failed':
      return { ...state, mode: 'path', message: { text: action.reason, error: true } };
  }
}
