/** An item's values in its tracker's field order, as every engine stores them (the order is part of the item). */
import { type Values, inFieldOrder } from '../../shared/model/values.js';
import type { Tracker } from './types.js';

/** A values object in the tracker's field order, as the store keeps it (what JSON would keep: no undefined). */
export function orderedValues(tracker: Tracker, values: Values): Values {
  // What the sync engine writes is already in order: kept as it is, not copied.
  if (inFieldOrder(tracker.fields, values)) return values;
  const out: Values = {};
  for (const field of tracker.fields) {
    const value = values[field.name];
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}
