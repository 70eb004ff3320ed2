/** Field values: the canonical forms (normalise.ts) and what a field accepts (validate.ts), under the one name importers know. */
export {
  type FieldValue,
  type Values,
  applyChange,
  canonicalValues,
  changedFields,
  inFieldOrder,
  isCanonicalSet,
  isEmptyValue,
  normalizeValue,
  normalizeValueFully,
  valuesEqual,
} from './normalise.js';
export { type ValueCheck, type ValuesCheck, checkStatus, describe, validateValue, validateValues } from './validate.js';
