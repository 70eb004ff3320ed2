/** The three-way merge engine: pure, no I/O; reload and push both call it and nothing else decides a conflict. */
export {
  decideItem,
  localChanges,
  sameState,
  type ApplyOutcome,
  type DecisionInput,
  type ItemAction,
  type ItemConflict,
  type ItemDecision,
  type RemoteSide,
} from './item.js';
export { defaultConflictPolicy, type ConflictPolicy, type Resolution } from './policy.js';
export { mergeFiles } from './files.js';
export { mergeSets } from './sets.js';
export { mergeText, type TextHunk, type TextMerge } from './text.js';
export {
  EMPTY_BASE,
  STATUS_FIELD_DEF,
  mergeField,
  type BaseState,
  mergeItem,
  type FieldConflict,
  type FieldMerge,
  type FieldOutcome,
  type ItemState,
  type MergeResult,
} from './three-way.js';
