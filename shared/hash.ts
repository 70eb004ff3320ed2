/** Canonical JSON (RFC 8785) and the hashes that cross instances: item values and tracker schemas. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FieldDef } from './model/fields.js';
import type { Values } from './model/values.js';

/** RFC 8785 canonical JSON: the same value gives the same bytes on every instance. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Hash of an item's state (status and canonical values): equal hashes mean nothing changed. */
export function hashItem(status: string, values: Values): string {
  return sha256(canonicalJson({ status, values }));
}

/**
 * Hash of a tracker's schema: any change of a field (name, type, label, options, required, key)
 * or of the statuses changes it. `key` counts only when set, so schemas without keys keep the
 * hashes they had before keys existed (clones of them see no change).
 */
export function hashSchema(fields: readonly FieldDef[], statuses: readonly string[]): string {
  const shape = fields.map((f) => ({
    name: f.name,
    label: f.label,
    type: f.type,
    options: f.options ?? null,
    required: f.required,
    linkedTracker: f.linkedTracker ?? null,
    ...(f.key ? { key: true } : {}),
  }));
  return sha256(canonicalJson({ fields: shape, statuses }));
}
