/**
 * What keeps a clone's attachments alive besides its items' values (DESIGN §14): each item's
 * base (what both sides last agreed on) and an open conflict's other side may name blobs the
 * item no longer does, and `resolve --take base|remote` needs them. Triggers on the clone
 * side's table enter those names in the hub's blob_refs, so any collection of the instance (the
 * server's too, which never loads the clone side) keeps their blobs.
 */
import type { MigratedModule } from '../../server/store/index.js';

/** The sha256s a JSON text names (every "sha256" key holding 64 characters), for one role. */
const refsOf = (row: 'NEW' | 'r', column: 'base_values' | 'conflict', role: string) =>
  `SELECT ${row}.item_id, '${role}', t.atom, ${row}.tracker_id FROM json_tree(coalesce(${row}.${column}, '{}')) t WHERE t.key = 'sha256' AND t.type = 'text' AND length(t.atom) = 64`;

/** Whether a row's base or conflict may name a blob at all: the cheap test that keeps the triggers off every other write. */
const names = (row: 'NEW' | 'OLD') => `(instr(coalesce(${row}.base_values, ''), '"sha256":') > 0 OR instr(coalesce(${row}.conflict, ''), '"sha256":') > 0)`;

const ADD = (row: 'NEW' | 'r') => `
    INSERT OR IGNORE INTO blob_refs (item_id, role, sha256, tracker_id) ${refsOf(row, 'base_values', 'base')};
    INSERT OR IGNORE INTO blob_refs (item_id, role, sha256, tracker_id) ${refsOf(row, 'conflict', 'conflict')};`;

const DROP = "DELETE FROM blob_refs WHERE item_id = OLD.item_id AND role IN ('base', 'conflict');";

export const REPLICA_BLOBS_MODULE: MigratedModule = {
  name: 'replica-blobs',
  migrations: [
    // 1: the references of bases and conflicts, kept by triggers, and those already there.
    `
  CREATE TRIGGER replica_items_blob_refs_insert AFTER INSERT ON replica_items WHEN ${names('NEW')}
  BEGIN ${ADD('NEW')}
  END;
  CREATE TRIGGER replica_items_blob_refs_update AFTER UPDATE OF base_values, conflict ON replica_items WHEN ${names('OLD')} OR ${names('NEW')}
  BEGIN
    ${DROP}${ADD('NEW')}
  END;
  CREATE TRIGGER replica_items_blob_refs_delete AFTER DELETE ON replica_items WHEN ${names('OLD')}
  BEGIN
    ${DROP}
  END;
  INSERT OR IGNORE INTO blob_refs (item_id, role, sha256, tracker_id) ${refsOf('r', 'base_values', 'base').replace('FROM json_tree', 'FROM replica_items r, json_tree')};
  INSERT OR IGNORE INTO blob_refs (item_id, role, sha256, tracker_id) ${refsOf('r', 'conflict', 'conflict').replace('FROM json_tree', 'FROM replica_items r, json_tree')};
    `,
  ],
  fromLegacy: () => 0,
};
