/** Attachments as values (DESIGN §14): the one canonical form, what a files field accepts, the set merge by sha256, and names that never become paths. */
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeFiles } from '../../shared/merge/index.js';
import { diskNameOf, fileTypeOf } from '../../shared/model/file-types.js';
import { type FileRef, blobProblems, canonicalFiles, checkFiles, findFiles, formatSize, isCanonicalFiles } from '../../shared/model/files.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { normalizeValue, validateValue, valuesEqual } from '../../shared/model/values.js';

const RUNS = { numRuns: 500, seed: 17 };
const hash = (n: number) => n.toString(16).repeat(64);
const ref = (n: number, name = `f${n}.png`): FileRef => ({ name, size: n, type: 'image/png', sha256: hash(n) });
/** Small pools: contents collide often, and content 2 goes by two names. */
const POOL = [ref(1), ref(2), ref(2, 'again.png'), ref(3), ref(4, 'log.txt'), ref(5, 'log.txt')];
const files = fc.subarray(POOL).chain((xs) => fc.shuffledSubarray([...xs, ...xs], { minLength: xs.length }));
const keys = (value: readonly FileRef[] | null) => new Set((value ?? []).map((f) => f.sha256));
const FIELDS: FieldDef[] = [{ name: 'shots', label: 'Shots', type: 'files', required: false }];

describe('the canonical form of a files value', () => {
  it('is one entry per sha256, sorted, whatever the order and repetitions it came in; normalising it again changes nothing', () => {
    fc.assert(
      fc.property(files, fc.boolean(), (list, reversed) => {
        const canonical = canonicalFiles(list);
        expect(canonical.map((f) => f.sha256)).toEqual([...keys(list)].sort());
        expect(canonicalFiles(reversed ? [...list].reverse() : list)).toEqual(canonical);
        if (canonical.length > 0) expect(isCanonicalFiles(canonical)).toBe(true);
        expect(normalizeValue('files', canonical.length > 0 ? canonical : null)).toBe(canonical.length > 0 ? canonical : null);
        expect(valuesEqual('files', list, [...list].reverse())).toBe(true);
      }),
      RUNS,
    );
  });

  it('drops keys a newer peer added, and counts a renamed attachment as a change', () => {
    const withExtra = [{ ...ref(1), thumbnail: 'x' }] as unknown as FileRef[];
    expect(isCanonicalFiles(withExtra)).toBe(false);
    expect(normalizeValue('files', withExtra)).toEqual([ref(1)]);
    expect(valuesEqual('files', [ref(1)], [ref(1, 'renamed.png')])).toBe(false);
  });
});

describe('what a files field accepts', () => {
  const field: FieldDef = { name: 'shots', label: 'Shots', type: 'files', required: false };

  it('takes file references, canonical; refuses names that look like paths, bad sizes, types and hashes, naming why', () => {
    expect(validateValue(field, [ref(2), ref(1), ref(2)])).toEqual({ ok: true, value: [ref(1), ref(2)] });
    expect(validateValue(field, [])).toEqual({ ok: true, value: null });
    const refused = [
      [{ ...ref(1), name: '../../etc/passwd' }, /not a path/],
      [{ ...ref(1), name: 'C:\\evil.txt' }, /not a path/],
      [{ ...ref(1), name: '..' }, /not a file name/],
      [{ ...ref(1), name: '' }, /empty/],
      [{ ...ref(1), name: 'bell\u0007' }, /control/],
      [{ ...ref(1), name: 'x'.repeat(256) }, /at most 255/],
      [{ ...ref(1), size: 1.5 }, /whole number/],
      [{ ...ref(1), type: 'png' }, /media type/],
      [{ ...ref(1), sha256: 'ABC' }, /64 lowercase hex/],
      ['a.png', /expected an array of/],
    ] as const;
    for (const [entry, reason] of refused) {
      const check = checkFiles([entry]);
      expect(check.ok, JSON.stringify(entry).slice(0, 80)).toBe(false);
      if (!check.ok) expect(check.reason).toMatch(reason);
    }
  });
});

describe('mergeFiles (the set merge by sha256)', () => {
  const triple = fc.tuple(files, files, files).map(([b, l, r]) => [canonicalFiles(b), canonicalFiles(l), canonicalFiles(r)] as const);

  it('applies the adds and removes of both sides: two sides attaching different files keep both', () => {
    fc.assert(
      fc.property(triple, ([b, l, r]) => {
        const merged = keys(mergeFiles(b, l, r));
        const [kb, kl, kr] = [keys(b), keys(l), keys(r)];
        for (const key of new Set([...kb, ...kl, ...kr])) {
          const expected = kb.has(key) ? kl.has(key) && kr.has(key) : kl.has(key) || kr.has(key);
          expect(merged.has(key), key).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('takes the side that changed: local unchanged gives remote, remote unchanged gives local, both alike give that', () => {
    fc.assert(
      fc.property(triple, ([b, l, r]) => {
        const value = (list: FileRef[]) => (list.length === 0 ? null : list);
        expect(mergeFiles(b, b, r)).toEqual(value(r));
        expect(mergeFiles(b, l, b)).toEqual(value(l));
        expect(mergeFiles(b, l, l)).toEqual(value(l));
      }),
      RUNS,
    );
  });

  it('keeps a local rename of an attachment the remote kept, and the remote rename of one local kept', () => {
    expect(mergeFiles([ref(1)], [ref(1, 'mine.png'), ref(3)], [ref(1), ref(4)])).toEqual([ref(1, 'mine.png'), ref(3), ref(4)]);
    expect(mergeFiles([ref(1)], [ref(1), ref(3)], [ref(1, 'theirs.png')])).toEqual([ref(1, 'theirs.png'), ref(3)]);
    // The same name, different contents, attached on both sides: both stay, under that name.
    expect(mergeFiles(null, [ref(4, 'log.txt')], [ref(5, 'log.txt')])?.map((f) => f.name)).toEqual(['log.txt', 'log.txt']);
  });
});

describe('the blobs an item needs', () => {
  it('names each attachment without content, and each whose content has another size', () => {
    const sizes = new Map([[hash(1), 1], [hash(2), 99]]);
    const problems = blobProblems(FIELDS, { shots: [ref(1), ref(2), ref(3)] }, (sha) => sizes.get(sha), { prefix: 'values', hint: 'attach it first' });
    expect(problems).toEqual([
      { field: 'values.shots', reason: '"f2.png" says 2 bytes, its content has 99' },
      { field: 'values.shots', reason: 'no content for "f3.png" (sha256 333333333333…): attach it first' },
    ]);
  });

  it('finds an attachment by name, else by a sha256 prefix of 8 digits or more', () => {
    const value = canonicalFiles([ref(4, 'log.txt'), ref(5, 'log.txt'), ref(3)]);
    expect(findFiles(value, 'log.txt')).toHaveLength(2);
    expect(findFiles(value, hash(3).slice(0, 8))).toEqual([ref(3)]);
    expect(findFiles(value, hash(3).slice(0, 7))).toEqual([]);
    expect(findFiles(value, 'nope')).toEqual([]);
  });
});

describe('names on a disk', () => {
  it('never leave the directory they are written to, whatever a remote sent', () => {
    const dir = resolve('/tmp/s15n-out');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', '/', '\\', '\u0000', ' ', 'é', '\n'), maxLength: 12 }), (name) => {
        const disk = diskNameOf(name);
        if (disk === null) return;
        // eslint-disable-next-line no-control-regex
        expect(disk).not.toMatch(/[/\\\u0000-\u001f]/);
        expect(['', '.', '..']).not.toContain(disk);
        expect(resolve(join(dir, disk)).startsWith(`${dir}${sep}`)).toBe(true);
      }),
      RUNS,
    );
    expect(diskNameOf('../../etc/passwd')).toBe('passwd');
    expect(diskNameOf('..')).toBeNull();
  });

  it('get a media type from their extension, octet-stream when unknown; sizes read as people write them', () => {
    expect(fileTypeOf('Shot.PNG')).toBe('image/png');
    expect(fileTypeOf('notes')).toBe('application/octet-stream');
    expect(fileTypeOf('.bashrc')).toBe('application/octet-stream');
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(formatSize)).toEqual(['0 B', '1023 B', '1.0 KB', '1.5 KB', '5.0 GB']);
  });
});
