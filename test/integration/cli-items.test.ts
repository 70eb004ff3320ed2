/** `s15n item list|show|add|edit|delete`: --set parsed by field type, bulk writes in one transaction, errors naming the field. */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';

interface WireItem {
  id: number;
  status: string;
  version: number;
  values: Record<string, unknown>;
}

let data: string;
let personId: number;
const s15n = (args: string[], input?: string) => runCli(args, { data, input });
const list = () => s15n(['item', 'list', 'Bugs', '--json']).json<WireItem[]>();

beforeEach(() => {
  data = join(tempDir(), 'data');
  const store = openLocalStore(data, { create: true });
  const people = store.createTracker({ name: 'People', fields: [{ name: 'name', type: 'text' }] });
  personId = store.createItems(people.id, [{ values: { name: 'Ann' } }], null)[0]!.id;
  store.createTracker({
    name: 'Bugs',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'n', type: 'number' },
      { name: 'done', type: 'checkbox' },
      { name: 'prio', type: 'dropdown', options: ['low', 'high'] },
      { name: 'os', type: 'multiselect', options: ['linux', 'mac', 'windows'] },
      { name: 'tags', type: 'tags' },
      { name: 'due', type: 'date' },
      { name: 'owner', type: 'itemlink', linkedTracker: people.id },
      { name: 'note', type: 'textarea' },
    ],
  });
  store.close();
});

describe('item add with --set', () => {
  it('parses each value by its field type and prints the item (--json)', () => {
    const result = s15n(['item', 'add', 'Bugs', '--set', 'title=Hello, world', '--set', 'n=4.5', '--set', 'done=yes', '--set', 'prio=high',
      '--set', 'os=["mac","linux"]', '--set', 'tags=a, b,,c', '--set', 'due=2025-02-01', '--set', `owner=${personId}`, '--set', 'note=x=y', '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      id: expect.any(Number),
      status: 'open',
      version: 1,
      values: { title: 'Hello, world', n: 4.5, done: true, prio: 'high', os: ['linux', 'mac'], tags: ['a', 'b', 'c'], due: '2025-02-01', owner: personId, note: 'x=y' },
    });
  });

  it('reads every spelling of a checkbox', () => {
    const spellings: [string, boolean][] = [['true', true], ['YES', true], ['1', true], ['on', true], ['false', false], ['no', false], ['0', false], ['Off', false]];
    for (const [text, value] of spellings) {
      const result = s15n(['item', 'add', 'Bugs', '--set', 'title=x', '--set', `done=${text}`, '--json']);
      expect(result.json<WireItem>().values.done, text).toBe(value);
    }
  });

  it('refuses a value that does not fit its field with exit 2, naming the field, and adds nothing', () => {
    const cases: [string, string][] = [
      ['n=ten', 'n'],
      ['done=maybe', 'done'],
      ['owner=1.5', 'owner'],
      ['os=[1,2]', 'os'],
      ['prio=urgent', 'values.prio'],
      ['due=tomorrow', 'values.due'],
      ['ghost=1', 'ghost'],
      ['noequals', '--set'],
    ];
    for (const [set, field] of cases) {
      const result = s15n(['item', 'add', 'Bugs', '--set', 'title=x', '--set', set, '--json']);
      expect(result.code, `${set}: ${result.stderr}`).toBe(2);
      const problems = result.json<{ error: { code: string; details: { problems: { field: string }[] } } }>().error;
      expect(problems.code, set).toBe('bad_input');
      expect(problems.details.problems[0]!.field, set).toBe(field);
      expect(result.stderr, set).toMatch(/^s15n: /);
      expect(result.stderr, set).not.toMatch(/^\s+at /m);
    }
    expect(list()).toEqual([]);
  });

  it('refuses a missing required field and an unknown status', () => {
    const missing = s15n(['item', 'add', 'Bugs', '--set', 'n=1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('values.title');
    expect(s15n(['item', 'add', 'Bugs', '--set', 'title=x', '--status', 'done']).code).toBe(2);
    expect(list()).toEqual([]);
  });

  it('says what it added for people: id, status and title', () => {
    const result = s15n(['item', 'add', 'Bugs', '--set', 'title=Crash on save', '--status', 'pending']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^added \d+\s+pending\s+v1\s+Crash on save\n$/);
  });
});

describe('item add with --values', () => {
  it('adds one item from a JSON object, --set on top of it', () => {
    const result = s15n(['item', 'add', 'Bugs', '--values', '{"title":"from json","n":3}', '--set', 'n=4', '--json']);
    expect(result.json()).toMatchObject({ values: { title: 'from json', n: 4 } });
  });

  it('adds many items from a JSON array in one transaction, each a values object or {status, values}', () => {
    const result = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { status: 'closed', values: { title: 'b', n: 2 } }, { title: 'c' }]), '--json']);
    expect(result.code).toBe(0);
    const added = result.json<WireItem[]>();
    expect(added.map((i) => [i.status, i.values.title])).toEqual([['open', 'a'], ['closed', 'b'], ['open', 'c']]);
    expect(list()).toHaveLength(3);
  });

  it('adds nothing when one element is bad: exit 2, the message names the element and the field', () => {
    const result = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { title: 'b' }, { values: { title: 'c', prio: 'mid' } }])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('items[2].values.prio');
    expect(list()).toEqual([]);
  });

  it('refuses JSON that does not parse', () => {
    const result = s15n(['item', 'add', 'Bugs', '--values', '{title:', '--json']);
    expect(result.code).toBe(2);
    expect(result.json()).toMatchObject({ error: { code: 'bad_input', message: expect.stringContaining('--values') } });
  });
});

describe('item list and show', () => {
  beforeEach(() => {
    s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'one' }, { status: 'closed', values: { title: 'two' } }, { title: 'three' }])]);
  });

  it('lists id, status, version and values (--json), filtered by --status and cut by --limit', () => {
    const all = list();
    expect(all.map((i) => Object.keys(i))).toEqual(Array(3).fill(expect.arrayContaining(['id', 'status', 'version', 'values'])));
    expect(s15n(['item', 'list', 'Bugs', '--status', 'open', '--json']).json<WireItem[]>().map((i) => i.values.title)).toEqual(['one', 'three']);
    expect(s15n(['item', 'list', 'Bugs', '--limit', '2', '--json']).json<WireItem[]>().map((i) => i.values.title)).toEqual(['one', 'two']);
    expect(s15n(['item', 'list', 'Bugs', '--status', 'open', '--limit', '1', '--json']).json<WireItem[]>().map((i) => i.values.title)).toEqual(['one']);
    expect(s15n(['item', 'list', 'Bugs', '--limit', 'lots']).code).toBe(2);
    expect(s15n(['item', 'list', 'Bugs', '--status', 'gone']).code).toBe(2);
  });

  it('lists for people as a table of id, status, version and title', () => {
    const lines = s15n(['item', 'list', 'Bugs']).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+VERSION\s+TITLE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      [expect.any(String), 'open', '1', 'one'],
      [expect.any(String), 'closed', '1', 'two'],
      [expect.any(String), 'open', '1', 'three'],
    ]);
  });

  it('shows one item by tracker name or id (--json and human), unknown ids with exit 1', () => {
    const [first] = list();
    expect(s15n(['item', 'show', 'Bugs', String(first!.id), '--json']).json()).toMatchObject({ id: first!.id, status: 'open', version: 1, values: { title: 'one' } });
    const human = s15n(['item', 'show', '2', String(first!.id)]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^item ${first!.id} in Bugs: open, version 1`));
    expect(human.stdout).toContain('title: one');
    const missing = s15n(['item', 'show', 'Bugs', '999', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(s15n(['item', 'show', 'Bugs', 'abc']).code).toBe(2);
    expect(s15n(['item', 'list', 'Nope']).code).toBe(1);
  });
});

describe('item edit', () => {
  let ids: string[];
  beforeEach(() => {
    ids = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a', n: 1 }, { title: 'b', n: 2 }, { title: 'c' }]), '--json'])
      .json<WireItem[]>()
      .map((i) => String(i.id));
  });

  it('applies one change to several items: --set, an empty value clears, --status; versions go up', () => {
    const result = s15n(['item', 'edit', 'Bugs', ids[0]!, ids[1]!, '--set', 'prio=low', '--set', 'n=', '--status', 'pending', '--json']);
    expect(result.code).toBe(0);
    expect(result.json<WireItem[]>().map((i) => [i.version, i.status, i.values])).toEqual([
      [2, 'pending', { title: 'a', prio: 'low' }],
      [2, 'pending', { title: 'b', prio: 'low' }],
    ]);
    expect(list()[2]).toMatchObject({ version: 1, status: 'open' });
  });

  it('prints the one item when one id is edited; --values null clears a field', () => {
    const result = s15n(['item', 'edit', 'Bugs', ids[0]!, '--values', '{"n":null,"tags":["t"]}', '--json']);
    expect(result.json()).toMatchObject({ id: Number(ids[0]), version: 2, values: { title: 'a', tags: ['t'] } });
    expect(result.json<WireItem>().values).not.toHaveProperty('n');
    expect(s15n(['item', 'edit', 'Bugs', ids[1]!, '--set', 'title=B']).stdout).toMatch(/^edited \d+\s+open\s+v2\s+B\n$/);
  });

  it('changes nothing when one id is unknown (exit 1) or a value is bad (exit 2)', () => {
    expect(s15n(['item', 'edit', 'Bugs', ids[0]!, '999', '--set', 'n=5']).code).toBe(1);
    const bad = s15n(['item', 'edit', 'Bugs', ids[0]!, ids[1]!, '--set', 'title=']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('title');
    expect(s15n(['item', 'edit', 'Bugs', ids[0]!]).code).toBe(2);
    expect(list().map((i) => i.version)).toEqual([1, 1, 1]);
  });
});

describe('item delete', () => {
  it('deletes several items in one go; they leave the list and cannot be shown', () => {
    const ids = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }, { title: 'b' }, { title: 'c' }]), '--json']).json<WireItem[]>().map((i) => i.id);
    const result = s15n(['item', 'delete', 'Bugs', String(ids[0]), String(ids[2]), '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ deleted: [ids[0], ids[2]] });
    expect(list().map((i) => i.id)).toEqual([ids[1]]);
    expect(s15n(['item', 'show', 'Bugs', String(ids[0])]).code).toBe(1);
    expect(s15n(['item', 'delete', 'Bugs', String(ids[1])]).stdout).toBe('deleted 1 item from Bugs\n');
  });

  it('deletes nothing when one id is unknown', () => {
    const [id] = s15n(['item', 'add', 'Bugs', '--values', JSON.stringify([{ title: 'a' }]), '--json']).json<WireItem[]>().map((i) => i.id);
    expect(s15n(['item', 'delete', 'Bugs', String(id), '12345']).code).toBe(1);
    expect(list()).toHaveLength(1);
  });
});
