/**
 * Checks a JSON value against a schema of an OpenAPI 3.0 document, independently of the zod
 * schemas it was generated from (so a document that drifts from the server is caught): the
 * keywords the document uses, each as OpenAPI 3.0.3 defines it (`nullable` beside `type`,
 * `exclusiveMinimum` as a boolean). An unknown keyword fails the check rather than pass unseen.
 */

type Schema = Record<string, unknown>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, Schema> };
}

/** Keywords that only describe (or that the value checks below already cover). */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'format', 'discriminator', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const CHECKED = new Set([
  '$ref', 'type', 'nullable', 'enum', 'anyOf', 'oneOf', 'allOf', 'properties', 'required', 'additionalProperties', 'items',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
]);

function typeOk(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      throw new Error(`unknown type ${type}`);
  }
}

function checkNumber(value: number, schema: Schema, at: string, problems: string[]): void {
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  if (min !== undefined && (schema.exclusiveMinimum === true ? value <= min : value < min)) problems.push(`${at}: ${value} below ${min}`);
  if (max !== undefined && (schema.exclusiveMaximum === true ? value >= max : value > max)) problems.push(`${at}: ${value} above ${max}`);
}

function checkString(value: string, schema: Schema, at: string, problems: string[]): void {
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
}

function checkObject(value: Record<string, unknown>, schema: Schema, doc: OpenApiDocument, at: string, problems: string[]): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required ?? []) as string[]) if (!(key in value)) problems.push(`${at}: missing ${key}`);
  for (const [key, child] of Object.entries(value)) {
    if (properties[key]) problems.push(...schemaProblems(child, properties[key], doc, `${at}.${key}`));
    else if (schema.additionalProperties === false) problems.push(`${at}: unexpected key ${key}`);
    else if (typeof schema.additionalProperties === 'object') problems.push(...schemaProblems(child, schema.additionalProperties as Schema, doc, `${at}.${key}`));
  }
}

function checkArray(value: unknown[], schema: Schema, doc: OpenApiDocument, at: string, problems: string[]): void {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${at}: fewer than ${schema.minItems} items`);
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${at}: more than ${schema.maxItems} items`);
  if (schema.items) value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items as Schema, doc, `${at}[${i}]`)));
}

function checkUnions(value: unknown, schema: Schema, doc: OpenApiDocument, at: string, problems: string[]): void {
  const matching = (list: unknown) => (list as Schema[]).filter((s) => schemaProblems(value, s, doc, at).length === 0).length;
  if (schema.anyOf && matching(schema.anyOf) === 0) problems.push(`${at}: matches none of anyOf`);
  if (schema.oneOf && matching(schema.oneOf) !== 1) problems.push(`${at}: matches ${matching(schema.oneOf)} of oneOf, not 1`);
  for (const part of (schema.allOf ?? []) as Schema[]) problems.push(...schemaProblems(value, part, doc, at));
}

/** What is wrong with `value` against `schema` (empty: it conforms). */
export function schemaProblems(value: unknown, schema: Schema, doc: OpenApiDocument, at = '$'): string[] {
  for (const key of Object.keys(schema)) if (!CHECKED.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-')) throw new Error(`${at}: keyword ${key} is not checked`);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) return [`${at}: unresolved ${schema.$ref}`];
    return schemaProblems(value, target, doc, at);
  }
  if (value === null) {
    // Null passes a schema that admits it: nullable beside a type, or no type at all (3.0.3).
    if (schema.type === undefined && !schema.enum && !schema.anyOf && !schema.oneOf) return [];
    if (schema.nullable === true) return [];
    if (schema.anyOf || schema.oneOf || schema.allOf) {
      const problems: string[] = [];
      checkUnions(value, schema, doc, at, problems);
      return problems;
    }
    return [`${at}: null where ${String(schema.type ?? 'a value')} is expected`];
  }
  if (typeof schema.type === 'string' && !typeOk(value, schema.type)) return [`${at}: ${JSON.stringify(value)?.slice(0, 60)} is not ${schema.type}`];
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') checkNumber(value, schema, at, problems);
  if (typeof value === 'string') checkString(value, schema, at, problems);
  if (Array.isArray(value)) checkArray(value, schema, doc, at, problems);
  else if (typeof value === 'object') checkObject(value as Record<string, unknown>, schema, doc, at, problems);
  checkUnions(value, schema, doc, at, problems);
  return problems;
}
