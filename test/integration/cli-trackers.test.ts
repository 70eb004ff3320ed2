/** `s15n tracker create|import|export|list`: schemas from specs or files, import all or nothing, export that imports again. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

let data: string;
const s15n = (args: string[], input?: string) => runCli(args, { data, input });

function writeJson(value: unknown): string {
  const file = join(tempDir(), 'tracker.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

beforeEach(() => {
  data = join(tempDir(), 'data');
  expect(s15n(['init']).code).toBe(0);
});

const EVERY_KIND = {
  name: 'Tasks',
  description: 'things to do',
  fields: [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'body', type: 'textarea' },
    { name: 'estimate', type: 'number' },
    { name: 'done', type: 'checkbox' },
    { name: 'prio', type: 'dropdown', options: ['low', 'high'] },
    { name: 'os', type: 'multiselect', options: ['linux', 'mac'] },
    { name: 'due', type: 'date' },
    { name: 'tags', type: 'tags' },
    { name: 'number', type: 'autoincrement' },
  ],
  items: [
    { values: { title: 'one', body: 'a\nb', estimate: 2.5, done: true, prio: 'high', os: ['mac', 'linux'], due: '2025-01-31', tags: ['x'] } },
    { status: 'closed', values: { title: 'two' } },
    { status: 'pending', values: { title: 'three', prio: 'low' } },
  ],
};

describe('tracker create', () => {
  it('creates fields from specs (! = required, options, ":" inside options) and prints the schema (--json)', () => {
    const result = s15n(['tracker', 'create', 'Bugs', '--description', 'our bugs', '--field', 'title!:text', '--field', 'prio:dropdown:low, high', '--field', 'at:dropdown:09:00,10:30', '--field', 'n:number', '--json']);
    expect(result.code).toBe(0);
    const schema = result.json<{ id: number; name: string; fields: unknown[]; statuses: string[]; schemaHash: string; items: number }>();
    expect(schema).toMatchObject({ id: 1, name: 'Bugs', statuses: ['open', 'pending', 'closed'], items: 0 });
    expect(schema.schemaHash).toMatch(/\S{16,}/);
    expect(schema.fields).toEqual([
      expect.objectContaining({ name: 'title', type: 'text', required: true }),
      expect.objectContaining({ name: 'prio', type: 'dropdown', options: ['low', 'high'], required: false }),
      expect.objectContaining({ name: 'at', type: 'dropdown', options: ['09:00', '10:30'] }),
      expect.objectContaining({ name: 'n', type: 'number' }),
    ]);
  });

  it('prints the schema for people, and documents the spec in --help', () => {
    const result = s15n(['tracker', 'create', 'Bugs', '--field', 'title!:text', '--field', 'prio:dropdown:low,high']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tracker 1 "Bugs"');
    expect(result.stdout).toMatch(/title!: text\n\s+prio: dropdown \(low, high\)/);
    const help = s15n(['tracker', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/name\[!\]:type\[:opt1,opt2/);
    expect(help.stdout).toMatch(/trailing ! on the name makes (it|the field) required/);
  });

  it('links an itemlink field to another tracker named in its spec', () => {
    s15n(['tracker', 'create', 'People', '--field', 'name!:text']);
    const result = s15n(['tracker', 'create', 'Bugs', '--field', 'title:text', '--field', 'owner:itemlink:People', '--json']);
    expect(result.code).toBe(0);
    expect(result.json<{ fields: unknown[] }>().fields[1]).toMatchObject({ name: 'owner', type: 'itemlink' });
  });

  it('refuses a bad spec, a bad type and a duplicate name, naming the culprit, and creates nothing', () => {
    const spec = s15n(['tracker', 'create', 'X', '--field', 'nocolon']);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toContain('--field nocolon');
    const type = s15n(['tracker', 'create', 'X', '--field', 'a:colour', '--json']);
    expect(type.code).toBe(2);
    expect(type.json<{ error: { details: { problems: { field: string }[] } } }>().error.details.problems[0]!.field).toBe('fields[0].type');
    expect(type.stderr).toContain('  fields[0].type: ');
    expect(s15n(['tracker', 'list', '--json']).json()).toEqual([]);
    s15n(['tracker', 'create', 'X', '--field', 'a:text']);
    expect(s15n(['tracker', 'create', 'X', '--field', 'a:text']).code).toBe(1);
  });
});

describe('tracker create --fields', () => {
  it('ignores keys it does not know, naming them on stderr; a label that is not a string is refused', () => {
    const created = s15n(['tracker', 'create', 'Notes', '--fields', JSON.stringify([{ name: 'title', type: 'text', requried: true }]), '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json()).toMatchObject({ fields: [{ name: 'title', required: false }], ignored: ['fields[0].requried'] });
    expect(created.stderr).toMatch(/warning: --fields: ignored unknown key fields\[0\]\.requried/);
    const refused = s15n(['tracker', 'create', 'Other', '--fields', JSON.stringify([{ name: 'title', type: 'text', label: 7 }])]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('fields[0].label');
  });
});

describe('tracker list', () => {
  it('lists id, name, description, schema hash and item count (--json), a table for people', () => {
    s15n(['tracker', 'import', writeJson(EVERY_KIND)]);
    s15n(['tracker', 'create', 'Empty', '--field', 't:text']);
    const list = s15n(['tracker', 'list', '--json']).json<object[]>();
    expect(list).toEqual([
      expect.objectContaining({ id: 1, name: 'Tasks', description: 'things to do', schemaHash: expect.any(String), items: 3 }),
      expect.objectContaining({ id: 2, name: 'Empty', description: '', items: 0 }),
    ]);
    const human = s15n(['tracker', 'list']).stdout.split('\n');
    expect(human[0]).toMatch(/^ID\s+NAME\s+ITEMS/);
    expect(human[1]).toMatch(/^1\s+Tasks\s+3\b/);
    expect(human[2]).toMatch(/^2\s+Empty\s+0\b/);
  });

  it('says how to start when there is no tracker', () => {
    expect(s15n(['tracker', 'list']).stdout).toMatch(/no trackers/);
  });
});

describe('tracker import and export', () => {
  it('imports a tracker with its items in one go and prints the schema with the count', () => {
    const result = s15n(['tracker', 'import', writeJson(EVERY_KIND), '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ id: 1, name: 'Tasks', items: 3, fields: expect.any(Array), schemaHash: expect.any(String) });
    const human = s15n(['tracker', 'import', writeJson({ ...EVERY_KIND, name: 'Again' })]);
    expect(human.stdout).toContain('tracker 2 "Again", 3 items imported');
  });

  it('round-trips: export prints the import shape, with or without --json, and it imports to the same items', () => {
    s15n(['tracker', 'import', writeJson(EVERY_KIND)]);
    const plain = s15n(['tracker', 'export', 'Tasks']);
    const json = s15n(['tracker', 'export', '1', '--json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(json.json());
    const exported = json.json<typeof EVERY_KIND>();
    expect(exported).toMatchObject({ name: 'Tasks', description: 'things to do' });
    expect(exported.fields.map((f) => f.name)).toEqual(EVERY_KIND.fields.map((f) => f.name));
    expect(exported.items).toHaveLength(3);

    expect(s15n(['tracker', 'import', '-'], JSON.stringify({ ...exported, name: 'Copy' })).code).toBe(0);
    const again = s15n(['tracker', 'export', 'Copy', '--json']).json<typeof EVERY_KIND>();
    expect({ ...again, name: 'Tasks' }).toEqual(exported);
    const items = s15n(['item', 'list', 'Copy', '--json']).json<{ status: string; values: Record<string, unknown> }[]>();
    expect(items.map((i) => [i.status, i.values.title, i.values.number])).toEqual([
      ['open', 'one', 1],
      ['closed', 'two', 2],
      ['pending', 'three', 3],
    ]);
    expect(items[0]!.values).toMatchObject({ os: ['linux', 'mac'], estimate: 2.5, done: true, body: 'a\nb' });
  });

  it('refuses the whole file when one item is bad, naming items[i].values.F (exit 2), and creates nothing', () => {
    const file = writeJson({ ...EVERY_KIND, items: [{ values: { title: 'ok' } }, { values: { title: 'x', estimate: 'lots' } }] });
    const result = s15n(['tracker', 'import', file, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('items[1].values.estimate');
    expect(result.json<{ error: { details: { problems: { field: string }[] } } }>().error.details.problems.map((p) => p.field)).toEqual(['items[1].values.estimate']);
    expect(s15n(['tracker', 'list', '--json']).json()).toEqual([]);
  });

  it('imports a file with keys it does not know (more keys are welcome), naming each ignored key on stderr', () => {
    const file = writeJson({
      ...EVERY_KIND,
      schemaHash: 'from another instance',
      fields: [{ ...EVERY_KIND.fields[0], requried: false }, ...EVERY_KIND.fields.slice(1)],
      items: [{ ...EVERY_KIND.items[0], id: 41, version: 3 }, ...EVERY_KIND.items.slice(1)],
    });
    const result = s15n(['tracker', 'import', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ name: 'Tasks', items: 3, ignored: ['schemaHash', 'fields[0].requried', 'items[0].id', 'items[0].version'] });
    expect(result.stderr).toMatch(/warning: .*ignored unknown keys schemaHash, fields\[0\]\.requried, items\[0\]\.id, items\[0\]\.version/);
    // Ignored means ignored: the same tracker and items as without them.
    const items = s15n(['item', 'list', 'Tasks', '--json']).json<{ id: number; version: number; values: Record<string, unknown> }[]>();
    expect(items.map((i) => [i.values.title, i.version])).toEqual([
      ['one', 1],
      ['two', 1],
      ['three', 1],
    ]);
    expect(items[0]!.id).not.toBe(41);
    const clean = s15n(['tracker', 'import', writeJson({ ...EVERY_KIND, name: 'Clean' })]);
    expect(clean.stderr).toBe('');
  });

  it('refuses an item without its "values" wrapper instead of importing it empty', () => {
    const result = s15n(['tracker', 'import', writeJson({ ...EVERY_KIND, items: [{ title: 'forgot the wrapper' }] })]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('items[0]');
    expect(s15n(['tracker', 'list', '--json']).json()).toEqual([]);
  });

  it('refuses malformed JSON, a missing file and a file without fields, with exit 2', () => {
    const malformed = s15n(['tracker', 'import', '-'], '{nope');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/not valid JSON/);
    expect(s15n(['tracker', 'import', join(tempDir(), 'missing.json')]).code).toBe(2);
    const noFields = s15n(['tracker', 'import', '-'], JSON.stringify({ name: 'T' }));
    expect(noFields.code).toBe(2);
    expect(noFields.stderr).toContain('fields');
  });

  it('exports an unknown tracker with exit 1 and nothing on stdout', () => {
    const result = s15n(['tracker', 'export', 'Nope']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('s15n: unknown tracker "Nope"\n');
  });
});
