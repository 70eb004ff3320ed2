/**
 * fast-check arbitraries read from the zod schemas of shared/api/: values of the schema's shape
 * (keys, types, literals, regex-shaped strings), which the server may still refuse for a reason
 * the shape does not say (a refinement, a field's own rules), as a caller's requests would.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  checks?: { _zod: { def: Check } }[];
  [key: string]: unknown;
}

interface Check {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Check[] => (def.checks ?? []).map((c) => c._zod.def);

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const checks = checksOf(def);
  const regex = checks.find((c) => c.format === 'regex')?.pattern;
  if (regex) {
    // fast-check cannot generate from lookarounds: generate without them, keep what the real pattern takes.
    const plain = regex.source.replace(/\(\?<?[!=][^()]*\)/g, '');
    return plain === regex.source ? fc.stringMatching(regex) : fc.stringMatching(new RegExp(plain, regex.flags)).filter((text) => regex.test(text));
  }
  const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
  const max = checks.find((c) => c.check === 'max_length')?.maximum ?? min + 20;
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 20), unit: 'grapheme' });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  const checks = checksOf(def);
  const above = checks.find((c) => c.check === 'greater_than');
  const below = checks.find((c) => c.check === 'less_than');
  if (checks.some((c) => c.format === 'safeint' || c.format === 'int32')) {
    const min = above ? Number(above.value) + (above.inclusive ? 0 : 1) : -1_000_000;
    const max = below ? Number(below.value) - (below.inclusive ? 0 : 1) : 1_000_000;
    return fc.integer({ min, max });
  }
  return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
}

function objectArbitrary(def: Def, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const shape = def.shape as Record<string, z.ZodType>;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(shape)) {
    const optional = defOf(value).type === 'optional';
    model[key] = arbitraryOf(optional ? (defOf(value).innerType as z.ZodType) : value, depth + 1);
    if (!optional) required.push(key);
  }
  return fc.record(model, { requiredKeys: required });
}

/** Values shaped like `schema`; `depth` keeps nested unknowns and records small. */
export function arbitraryOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'object':
      return objectArbitrary(def, depth);
    case 'array': {
      const max = checksOf(def).find((c) => c.check === 'max_length')?.maximum ?? 4;
      return fc.array(arbitraryOf(def.element as z.ZodType, depth + 1), { maxLength: Math.min(max, 4) });
    }
    case 'record':
      return fc.dictionary(arbitraryOf(def.keyType as z.ZodType, depth + 1) as fc.Arbitrary<string>, arbitraryOf(def.valueType as z.ZodType, depth + 1), { maxKeys: 3 });
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map((option) => arbitraryOf(option, depth + 1)));
    case 'optional':
      return fc.option(arbitraryOf(def.innerType as z.ZodType, depth), { nil: undefined });
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType as z.ZodType, depth), { nil: null });
    case 'default':
    case 'readonly':
      return arbitraryOf(def.innerType as z.ZodType, depth);
    case 'pipe':
      return arbitraryOf(def.in as z.ZodType, depth);
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: depth > 2 ? 0 : 2 });
    default:
      throw new Error(`no arbitrary for zod type ${def.type}`);
  }
}
