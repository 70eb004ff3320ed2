/** The built CLI on DESIGN §13: `tracker field add|edit|remove`, key fields, `tracker import FILE.csv --into` and `tracker export --csv`, and GET …/export.csv. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { api, createEveryTypeTracker, seedUsers, startInstance, tempDir, type TestInstance } from '../helpers/instance.js';

function instance(): { data: string; dir: string; s15n: (...args: string[]) => ReturnType<typeof runCli> } {
  const dir = tempDir();
  const data = join(dir, 'data');
  expect(runCli(['init'], { data }).code).toBe(0);
  return { data, dir, s15n: (...args) => runCli(args, { data }) };
}

interface Schema {
  fields: { name: string; label: string; type: string; options?: string[]; required: boolean; key?: boolean }[];
  schemaHash: string;
  changed?: boolean;
}

describe('tracker field add|edit|remove', () => {
  it('evolves a schema: each edit a new schema hash, items keeping their values; refusals change nothing', () => {
    const { s15n } = instance();
    const created = s15n('--json', 'tracker', 'create', 'Bugs', '--field', 'title!:text', '--field', 'prio:dropdown:low,high').json<Schema>();
    expect(s15n('item', 'add', 'Bugs', '--set', 'title=Crash', '--set', 'prio=low').code).toBe(0);
    const added = s15n('--json', 'tracker', 'field', 'add', 'Bugs', 'email*:email', '--label', 'Reporter');
    expect(added.code).toBe(0);
    expect(added.json<Schema>().fields[2]).toEqual({ name: 'email', label: 'Reporter', type: 'email', required: false, key: true });
    const edited = s15n('--json', 'tracker', 'field', 'edit', 'Bugs', 'prio', '--options', 'low,high,urgent', '--label', 'Priority', '--required').json<Schema>();
    expect(edited.fields[1]).toEqual({ name: 'prio', label: 'Priority', type: 'dropdown', options: ['low', 'high', 'urgent'], required: true });
    expect(new Set([created.schemaHash, added.json<Schema>().schemaHash, edited.schemaHash]).size).toBe(3);

    const inUse = s15n('tracker', 'field', 'edit', 'Bugs', 'prio', '--options', 'high');
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toMatch(/options: "low" is still used by item 1/);
    const required = s15n('tracker', 'field', 'add', 'Bugs', 'owner!:text');
    expect(required.code).toBe(2);
    expect(required.stderr).toMatch(/item 1 has no value for "owner": add the field without !/);
    expect(s15n('tracker', 'field', 'edit', 'Bugs', 'title', '--options', 'a').stderr).toMatch(/a text field has no options/);
    expect(s15n('tracker', 'field', 'edit', 'Bugs', 'prio').code).toBe(2);
    expect(s15n('tracker', 'field', 'remove', 'Bugs', 'nope').stderr).toMatch(/no field "nope" \(fields: title, prio, email\)/);
    expect(s15n('--json', 'tracker', 'list').json<{ schemaHash: string }[]>()[0]!.schemaHash).toBe(edited.schemaHash);

    const removed = s15n('--json', 'tracker', 'field', 'remove', 'Bugs', 'prio').json<Schema>();
    expect(removed.fields.map((f) => f.name)).toEqual(['title', 'email']);
    expect(s15n('--json', 'item', 'show', 'Bugs', '1').json<{ values: object }>().values).toEqual({ title: 'Crash' });
    expect(s15n('--json', 'tracker', 'field', 'edit', 'Bugs', 'title', '--label', 'title').json<Schema>().changed).toBe(false);
  });

  it('keeps key values unique: a duplicate is refused with the field and the other item\'s id', () => {
    const { s15n } = instance();
    s15n('tracker', 'create', 'People', '--field', 'email!*:email', '--field', 'name:text');
    s15n('item', 'add', 'People', '--set', 'email=bob@example.org');
    const dup = s15n('--json', 'item', 'add', 'People', '--set', 'email=bob@example.org');
    expect(dup.code).toBe(2);
    expect(dup.json<{ error: { details: { problems: unknown[] } } }>().error.details.problems).toEqual([
      { field: 'values.email', reason: '"bob@example.org" is already the key of item 1 (a key field is unique among live items)' },
    ]);
    s15n('item', 'add', 'People', '--set', 'email=ann@example.org');
    expect(s15n('item', 'edit', 'People', '2', '--set', 'email=bob@example.org').stderr).toMatch(/key of item 1/);
  });
});

describe('CSV in and out', () => {
  it('imports RFC 4180 rows (BOM, quotes, commas, line breaks), matching by the key fields, in one transaction', () => {
    const { s15n, dir } = instance();
    s15n('tracker', 'create', 'People', '--field', 'email*:email', '--field', 'name!:text', '--field', 'notes:textarea', '--field', 'tags:tags', '--field', 'n:autoincrement');
    const file = join(dir, 'people.csv');
    writeFileSync(file, '\uFEFFemail,name,notes,tags,status\r\nbob@x.org,"Bob, Jr","line 1\r\nline 2","a, b",open\r\nann@x.org, Ann ,,"[""x,y""]",closed\r\n');
    const dry = s15n('--json', 'tracker', 'import', file, '--into', 'People', '--dry-run');
    expect(dry.json()).toMatchObject({ created: 2, updated: 0, unchanged: 0, dryRun: true, match: ['email'] });
    expect(s15n('--json', 'item', 'list', 'People').json()).toEqual([]);
    const done = s15n('tracker', 'import', file, '--into', 'People');
    expect(done.stdout).toBe('imported 2 rows into People (matched by email): 2 created, 0 updated, 0 unchanged\n');
    const items = s15n('--json', 'item', 'list', 'People').json<{ status: string; values: object }[]>();
    expect(items.map((i) => [i.status, i.values])).toEqual([
      ['open', { email: 'bob@x.org', name: 'Bob, Jr', notes: 'line 1\r\nline 2', tags: ['a', 'b'], n: 1 }],
      ['closed', { email: 'ann@x.org', name: ' Ann ', tags: ['x,y'], n: 2 }],
    ]);
    writeFileSync(file, 'email,name\nbob@x.org,Robert\ncid@x.org,Cid\nann@x.org, Ann \n');
    expect(s15n('--json', 'tracker', 'import', file, '--into', 'People').json()).toMatchObject({ created: 1, updated: 1, unchanged: 1 });

    // A bad cell refuses the whole file, naming row, column and reason.
    writeFileSync(file, 'email,name,status\ndan@x.org,Dan,open\nnot-an-email,Eve,open\nfay@x.org,,gone\n');
    const bad = s15n('tracker', 'import', file, '--into', 'People');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('row 3, column 1 (email): expected an email address');
    expect(bad.stderr).toContain('row 4, column 3 (status): expected one of open, pending, closed');
    expect(s15n('--json', 'item', 'list', 'People').json<unknown[]>()).toHaveLength(3);
    // No two rows take one key: the file is refused, naming the row that would.
    writeFileSync(file, 'email,name\nnew@x.org,A\nnew@x.org,B\n');
    expect(s15n('tracker', 'import', file, '--into', 'People', '--match', 'name').stderr).toContain('row 3, column 1 (email): "new@x.org" is already the key of the new item of row 2');
    expect(s15n('tracker', 'import', file).stderr).toMatch(/give --into TRACKER/);
    expect(s15n('tracker', 'import', file, '--into', 'People', '--match', 'nope').stderr).toMatch(/--match: no field "nope"/);
  });

  it('exports CSV that imports back into a copy of the tracker as the same items', () => {
    const { s15n, dir } = instance();
    s15n('tracker', 'create', 'T', '--field', 'title:text', '--field', 'when:datetime', '--field', 'where:location', '--field', 'prio:dropdown: low ,high', '--field', 'n:number');
    s15n('item', 'add', 'T', '--values', JSON.stringify([{ title: '=1+1, "quoted"', when: '2024-05-01 10:00', where: '48.85,2.35', n: 1e21 }, { status: 'pending', values: { title: ' ', prio: 'high' } }]));
    s15n('--json', 'tracker', 'field', 'edit', 'T', 'prio', '--options', '[" low ","high"]');
    s15n('item', 'edit', 'T', '1', '--values', JSON.stringify({ prio: ' low ' }));
    const csv = s15n('tracker', 'export', 'T', '--csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('title,when,where,prio,n,status');
    s15n('tracker', 'create', 'U', '--field', 'title:text', '--field', 'when:datetime', '--field', 'where:location', '--field', 'prio:dropdown: low ,high', '--field', 'n:number');
    s15n('tracker', 'field', 'edit', 'U', 'prio', '--options', '[" low ","high"]');
    const file = join(dir, 't.csv');
    writeFileSync(file, csv.stdout);
    expect(s15n('--json', 'tracker', 'import', file, '--into', 'U').json()).toMatchObject({ created: 2 });
    const values = (name: string) => s15n('--json', 'item', 'list', name).json<{ status: string; values: object }[]>().map((i) => [i.status, i.values]);
    expect(values('U')).toEqual(values('T'));
    expect(readFileSync(file, 'utf8')).toBe(s15n('tracker', 'export', 'U', '--csv').stdout);
  });
});

describe('GET /trackers/:id/export.csv', () => {
  let inst: TestInstance;
  beforeAll(async () => {
    inst = await startInstance();
    const bugs = createEveryTypeTracker(inst.store);
    await seedUsers(inst.store, bugs);
    inst.store.createItems(bugs.id, [{ values: { title: 'first, with "quotes"', tags: ['a', 'b'] } }, { status: 'closed', values: { title: 'second', body: 'two\nlines' } }], 'root');
  });
  afterAll(async () => inst.close());

  it('answers the view right with the same CSV as `tracker export --csv`, and 403 without it', async () => {
    const res = await api(inst.url, '/trackers/Bugs/export.csv', { user: 'vera' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="Bugs.csv"');
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('title,body,estimate,done,priority,platforms,due,seen,contact,link,tags,where,owner,number,wiki,person,files,status');
    expect(lines[1]).toBe('"first, with ""quotes""",,,,,,,,,,"a, b",,,1,,,,open');
    expect(res.text).toBe(runCli(['tracker', 'export', 'Bugs', '--csv'], { data: inst.dataDir }).stdout);
    expect((await api(inst.url, '/trackers/Bugs/export.csv', { user: 'olga' })).status).toBe(403);
  });
});
