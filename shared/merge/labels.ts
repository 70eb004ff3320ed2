/** The words for each kind of conflict, spelled once so `s15n status`, `s15n resolve` and the TUI name a conflict alike. */

/** The kinds of conflict a clone stores: fields edited on both sides, a field the remote removed that was edited here, a delete on one side against an edit on the other, or an edited item that left the clone's filter. */
export type ConflictKind = 'fields' | 'field-removed' | 'remote-deleted' | 'local-deleted' | 'left';

/** Short forms, as conflict lists and messages show them. */
export const CONFLICT_KIND_LABEL: Readonly<Record<ConflictKind, string>> = Object.freeze({
  fields: 'fields edited on both sides',
  'field-removed': 'field removed on the remote, edited here',
  'remote-deleted': 'deleted on the remote, edited here',
  'local-deleted': 'deleted here, edited on the remote',
  left: "no longer matches this clone's filter, changed here",
});
