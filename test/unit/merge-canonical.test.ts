/** normalizeValue's shortcuts for values already canonical must give exactly what the full normalisation gives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameCanonicalSet } from '../../shared/merge/canonical.js';
import { FIELD_TYPES } from '../../shared/model/fields.js';
import { normalizeValue, normalizeValueFully, valuesEqual } from '../../shared/model/values.js';

// Canonical-looking and almost-canonical inputs: the shortcuts must not accept what the full path would change.
const datetimes = fc.oneof(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 24 }))
    .map(([m, d, h]) => `2023-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`),
  fc.constantFrom('2024-02-30T10:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-04-31T10:00:00.000Z', '2024-01-01T10:00:00Z', '2024-01-01T10:00:00.000+01:00'),
);
const coordinate = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }).map(String), fc.constantFrom('-0', '0', '05', '1e-7', '12.50', ' 3', 'NaN', 'Infinity', '', '90', '-180', '1e2'));
const locations = fc
  .tuple(coordinate, coordinate, fc.option(fc.constantFrom('5', '05', '12', '123', '', '0', '-1'), { nil: undefined }))
  .map(([lat, lon, zoom]) => (zoom === undefined ? `${lat},${lon}` : `${lat},${lon},${zoom}`));
const sets = fc.array(fc.constantFrom('a', 'b', ' a', 'b ', '', '  ', 'Z'), { maxLength: 5 });
const anyValue = fc.oneof(datetimes, locations, sets, fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant([1, 'a']));

describe('normalizeValue', () => {
  it('gives what normalizeValueFully gives, for every type and value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELD_TYPES), anyValue, (type, value) => {
        expect(normalizeValue(type, value)).toEqual(normalizeValueFully(type, value));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives what normalizeValueFully gives for locations, canonical or not', () => {
    fc.assert(
      fc.property(locations, (value) => {
        expect(normalizeValue('location', value)).toEqual(normalizeValueFully('location', value));
      }),
      { numRuns: 2000, seed: 18 },
    );
  });

  it('rolls impossible days over as Date.parse does instead of keeping them', () => {
    expect(normalizeValue('datetime', '2024-02-30T10:00:00.000Z')).toBe('2024-03-01T10:00:00.000Z');
  });

  it('trims tags even when they are already sorted and unique', () => {
    expect(normalizeValue('tags', [' a', 'b'])).toEqual(['a', 'b']);
  });

  it('returns an already canonical set as it is, without copying it', () => {
    const value = ['a', 'b'];
    expect(normalizeValue('multiselect', value)).toBe(value);
  });
});

describe('sameCanonicalSet', () => {
  it('never calls two sets the same when valuesEqual does not', () => {
    fc.assert(
      fc.property(fc.constantFrom('multiselect', 'tags', 'files' as const), sets, sets, (type, a, b) => {
        if (sameCanonicalSet(type, a, b)) expect(valuesEqual(type, a, b)).toBe(true);
      }),
    );
  });
});
