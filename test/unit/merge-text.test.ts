/** Line-wise three-way merge of textarea values: clean merges keep both edits, overlapping edits give hunks. */
import diff3Merge from 'diff3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TextMerge, mergeText } from '../../shared/merge/index.js';

const lines = (...xs: string[]) => `${xs.join('\n')}\n`;

function textOf(merge: TextMerge): string {
  if (!merge.clean) throw new Error(`expected a clean merge, got ${JSON.stringify(merge.hunks)}`);
  return merge.text;
}

// Texts from a small pool of lines, so sides share lines, repeat lines and collide often.
const pooledLines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 7 });
const anyText = fc.oneof(
  fc.string({ unit: fc.constantFrom('x', 'y', '\n', '\r\n', '\r', ' ') }),
  pooledLines.map((xs) => xs.join('\n')),
  pooledLines.map((xs) => xs.join('\r\n') + '\r\n'),
);

/** A base of unique lines and one side's replacement of base[start, end) by fresh lines. */
interface Edit {
  start: number;
  end: number;
  lines: string[];
}

function applyEdits(base: readonly string[], edits: readonly Edit[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const edit of [...edits].sort((x, y) => x.start - y.start)) {
    out.push(...base.slice(at, edit.start), ...edit.lines);
    at = edit.end;
  }
  out.push(...base.slice(at));
  return out;
}

const baseLines = fc.integer({ min: 3, max: 12 }).map((n) => Array.from({ length: n }, (_, i) => `base line ${i}`));

const noEdit = (edit: Edit) => edit.end === edit.start && edit.lines.length === 0;

/** Two edits of a base with at least one untouched base line between them (an insertion is an edit at a point). */
const apartEdits = baseLines.chain((base) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 0, max: base.length }), { minLength: 4, maxLength: 4 }).map((xs) => xs.sort((x, y) => x - y)),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.constantFrom('L1', 'L2', 'L3'), { maxLength: 3 }),
      fc.array(fc.constantFrom('R1', 'R2', 'R3'), { maxLength: 3 }),
      fc.boolean(),
    )
    .map(([[s1, e1, s2, e2], firstIsInsertion, secondIsInsertion, localLines, remoteLines, localFirst]) => {
      // Distinct sorted points leave a line between e1 and s2; an insertion uses its start only.
      const one = { start: s1 as number, end: firstIsInsertion ? (s1 as number) : (e1 as number) };
      const two = { start: s2 as number, end: secondIsInsertion ? (s2 as number) : (e2 as number) };
      const local: Edit = { ...(localFirst ? one : two), lines: localLines };
      const remote: Edit = { ...(localFirst ? two : one), lines: remoteLines };
      return { base, local, remote };
    })
    .filter(({ local, remote }) => !noEdit(local) && !noEdit(remote)),
);

describe('mergeText: one side unchanged', () => {
  it('takes the remote text byte for byte when local left the base alone', () => {
    fc.assert(fc.property(anyText, anyText, (base, remote) => {
        expect(textOf(mergeText(base, base, remote))).toBe(remote);
      }),
    );
  });

  it('keeps the local text byte for byte when remote left the base alone', () => {
    fc.assert(fc.property(anyText, anyText, (base, local) => {
        expect(textOf(mergeText(base, local, base))).toBe(local);
      }),
    );
  });

  it('gives the common text when both sides made the same edit', () => {
    fc.assert(fc.property(anyText, anyText, (base, both) => {
        expect(textOf(mergeText(base, both, both))).toBe(both);
      }),
    );
  });

  it('treats null, undefined and "" as the same empty text', () => {
    expect(textOf(mergeText(null, 'a', null))).toBe('a');
    expect(textOf(mergeText(undefined, '', 'b'))).toBe('b');
    expect(textOf(mergeText('', null, undefined))).toBe('');
  });
});

describe('mergeText: edits apart from each other', () => {
  it('merges cleanly and holds both edits exactly where they were made', () => {
    fc.assert(
      fc.property(apartEdits, fc.boolean(), ({ base, local, remote }, finalEol) => {
        const join = (xs: string[]) => (xs.length === 0 ? '' : xs.join('\n') + (finalEol ? '\n' : ''));
        const merged = mergeText(join(base), join(applyEdits(base, [local])), join(applyEdits(base, [remote])));
        expect(textOf(merged)).toBe(join(applyEdits(base, [local, remote])));
      }),
    );
  });

  it('merges CRLF texts cleanly and keeps CRLF', () => {
    fc.assert(
      fc.property(apartEdits, ({ base, local, remote }) => {
        const join = (xs: string[]) => (xs.length === 0 ? '' : `${xs.join('\r\n')}\r\n`);
        const merged = mergeText(join(base), join(applyEdits(base, [local])), join(applyEdits(base, [remote])));
        expect(textOf(merged)).toBe(join(applyEdits(base, [local, remote])));
      }),
    );
  });

  it('example: a line edited on each side, far apart, both kept', () => {
    const base = lines('Steps:', '1. open the app', '2. click save', '3. see the error');
    const local = lines('Steps:', '1. open the app (v2.1)', '2. click save', '3. see the error');
    const remote = lines('Steps:', '1. open the app', '2. click save', '3. see the error "disk full"');
    expect(textOf(mergeText(base, local, remote))).toBe(lines('Steps:', '1. open the app (v2.1)', '2. click save', '3. see the error "disk full"'));
  });

  it('example: paragraphs separated by blank lines, one edited on each side', () => {
    const base = 'Summary\n\nIt crashes.\n\nWorkaround: none.\n';
    const local = 'Summary\n\nIt crashes on save.\n\nWorkaround: none.\n';
    const remote = 'Summary\n\nIt crashes.\n\nWorkaround: restart.\n';
    expect(textOf(mergeText(base, local, remote))).toBe('Summary\n\nIt crashes on save.\n\nWorkaround: restart.\n');
  });

  it('example: a line appended on one side and the first line changed on the other', () => {
    expect(textOf(mergeText(lines('a', 'b', 'c'), lines('a', 'b', 'c', 'd'), lines('A', 'b', 'c')))).toBe(lines('A', 'b', 'c', 'd'));
  });
});

describe('mergeText: overlapping edits', () => {
  const overlapping = baseLines.chain((base) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: base.length }),
        fc.integer({ min: 0, max: base.length }),
        fc.array(fc.constantFrom('L1', 'L2'), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom('R1', 'R2'), { minLength: 1, maxLength: 3 }),
      )
      .map(([a, b, localLines, remoteLines]) => ({ base, start: Math.min(a, b), end: Math.max(a, b), localLines, remoteLines })),
  );

  it('gives a hunk holding the base, local and remote lines of the region both sides changed', () => {
    fc.assert(
      fc.property(overlapping, ({ base, start, end, localLines, remoteLines }) => {
        const merged = mergeText(
          lines(...base),
          lines(...applyEdits(base, [{ start, end, lines: localLines }])),
          lines(...applyEdits(base, [{ start, end, lines: remoteLines }])),
        );
        expect(merged.clean).toBe(false);
        if (merged.clean) return;
        expect(merged.hunks).toHaveLength(1);
        expect(merged.hunks[0]).toEqual({ baseIndex: start, base: base.slice(start, end), local: localLines, remote: remoteLines });
      }),
    );
  });

  it('treats edits on adjacent lines as overlapping, as diff3 does', () => {
    const merged = mergeText(lines('a', 'b', 'c'), lines('a', 'B', 'c'), lines('a', 'b', 'C'));
    expect(merged).toEqual({ clean: false, hunks: [{ baseIndex: 1, base: ['b', 'c'], local: ['B', 'c'], remote: ['b', 'C'] }] });
  });

  it('example: the same line rewritten differently on both sides', () => {
    const merged = mergeText(lines('title', 'Crash on save'), lines('title', 'Crash on save (Windows)'), lines('title', 'Crash when saving'));
    expect(merged).toEqual({ clean: false, hunks: [{ baseIndex: 1, base: ['Crash on save'], local: ['Crash on save (Windows)'], remote: ['Crash when saving'] }] });
  });

  it('example: both sides write into an empty text', () => {
    expect(mergeText(null, 'local idea', 'remote idea')).toEqual({ clean: false, hunks: [{ baseIndex: 0, base: [], local: ['local idea'], remote: ['remote idea'] }] });
  });
});

describe('mergeText agrees with diff3', () => {
  // Lines unique within each text: then every diff of two texts keeps their common ends, so the
  // shortcuts (one side unchanged, edits apart, single-line collisions) must decide as diff3 does.
  const uniqueLines = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', ''), { maxLength: 6 });

  it('is clean exactly when diff3 is clean without inventing a line, and then gives the lines diff3 gives', () => {
    fc.assert(
      fc.property(uniqueLines, uniqueLines, uniqueLines, fc.constantFrom('\n', '\r\n'), (b, l, r, eol) => {
        // With a final line break on every line, a text and its lines map one to one (even with empty lines).
        const join = (xs: string[]) => xs.map((x) => x + eol).join('');
        const merged = mergeText(join(b), join(l), join(r));
        const blocks = diff3Merge(l, b, r);
        const diff3Lines = blocks.flatMap((block) => block.ok ?? []);
        // Lines are unique within each text: a line diff3 gives twice is one it invented, unless both
        // sides added it (it is in local and remote, not in the base), so that each edit put one there.
        const invented = diff3Lines.some((x, i) => diff3Lines.indexOf(x) !== i && (b.includes(x) || !l.includes(x) || !r.includes(x)));
        const expectedClean = blocks.every((block) => !block.conflict) && !invented;
        expect(merged.clean).toBe(expectedClean);
        if (merged.clean) expect(merged.text).toBe(join(diff3Lines));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds the same conflicts whichever side is local (hunks mirrored)', () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, (b, l, r) => {
        const one = mergeText(b, l, r);
        const two = mergeText(b, r, l);
        expect(two.clean).toBe(one.clean);
        if (!one.clean && !two.clean) {
          expect(two.hunks).toEqual(one.hunks.map((h) => ({ ...h, local: h.remote, remote: h.local })));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('mergeText never invents content', () => {
  /** The lines of a text as mergeText splits them (a final line break ends the last line, it does not start one). */
  const linesOf = (text: string) => (text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/));
  const countOf = (xs: readonly string[], line: string) => xs.filter((x) => x === line).length;
  /**
   * Whether every line of the merge occurs at most as often as the two edits put it there: local's
   * and remote's copies, or both sides' additions applied once each (local + remote - base).
   */
  const withinEdits = (merged: string, b: string, l: string, r: string) =>
    linesOf(merged).every((x, _, m) => {
      const [bn, ln, rn] = [b, l, r].map((t) => countOf(linesOf(t), x)) as [number, number, number];
      return countOf(m, x) <= Math.max(ln, rn, ln + rn - bn);
    });
  const split = (x: string) => x.split(' ');
  /** A merge of texts written one line a word, e.g. "b d c a"; and the one hunk over all of them. */
  const merge = (b: string, l: string, r: string) => mergeText(lines(...split(b)), lines(...split(l)), lines(...split(r)));
  const conflictOver = (b: string, l: string, r: string) => ({ clean: false, hunks: [{ baseIndex: 0, base: split(b), local: split(l), remote: split(r) }] });

  it('example: a line both sides moved is one conflict over the region, not a merge holding it twice', () => {
    // diff3 alone gives "d b c b": "b" is in the base, local and remote once each.
    expect(merge('b d c a', 'd c b', 'd b c a')).toEqual(conflictOver('b d c a', 'd c b', 'd b c a'));
    expect(merge('a b c d', 'b c d a', 'c a b d').clean).toBe(false);
  });

  it('still merges edits that each add a copy of a line: each edit applies once (paragraphs with their blank lines, say)', () => {
    expect(textOf(merge('a b c', 'X a b c', 'a b c X'))).toBe(lines(...split('X a b c X')));
    // Each side rewrote a different line as "x": both edits, so three copies.
    expect(textOf(merge('x p m q', 'x x m q', 'x p m x'))).toBe(lines(...split('x x m x')));
    // A paragraph added at each end of a text of paragraphs, blank lines between them.
    expect(textOf(mergeText('P1\n\nP2\n', 'P1\n\nP2\n\nmine\n', 'theirs\n\nP1\n\nP2\n'))).toBe('theirs\n\nP1\n\nP2\n\nmine\n');
  });

  it('still merges edits apart that add different lines, or where only one side adds a copy', () => {
    expect(textOf(merge('a b c', 'X a b c', 'a b c Y'))).toBe(lines(...split('X a b c Y')));
    // One side moved "m" inside its region (no new copy), the other added one: the adding side's two copies, either way round.
    expect(textOf(merge('m a b c d', 'a m b c d', 'm a b c m'))).toBe(lines(...split('a m b c m')));
    expect(textOf(merge('a b c m d', 'm a b c m d', 'a b c d m'))).toBe(lines(...split('m a b c d m')));
  });

  it('a clean merge holds no line more often than the two edits put it there (any texts, and longer ones where two edits may add one line)', () => {
    // One edit of a base: lines replaced by a few of "x", "y" or the base's first line.
    const edit = (base: string[]) =>
      fc
        .tuple(fc.nat(base.length), fc.nat(2), fc.array(fc.constantFrom('x', 'y', base[0]!), { maxLength: 3 }))
        .map(([start, n, xs]) => lines(...applyEdits(base, [{ start, end: Math.min(base.length, start + n), lines: xs }])));
    const longBase = fc.array(fc.constantFrom('x', 'p', 'q', 'r', 's'), { minLength: 4, maxLength: 30 });
    const edited = longBase.chain((base) => fc.tuple(fc.constant(lines(...base)), edit(base), edit(base)));
    fc.assert(
      fc.property(fc.oneof(fc.tuple(anyText, anyText, anyText), edited), ([b, l, r]) => {
        const merged = mergeText(b, l, r);
        if (merged.clean) expect(withinEdits(merged.text, b, l, r)).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('merges big edits apart, each applied once, whatever lines they add', () => {
    const base = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const local = [...Array.from({ length: 300 }, (_, i) => `local ${i}`), ...base.slice(300)];
    const remote = [...base.slice(0, 1500), ...Array.from({ length: 500 }, (_, i) => `remote ${i}`)];
    const big = (l: string[], r: string[]) => mergeText(lines(...base), lines(...l), lines(...r));
    expect(textOf(big(local, remote))).toBe(lines(...local.slice(0, 1500), ...remote.slice(1500)));
    const sameLines = [...base.slice(0, 1500), ...local.slice(0, 300), ...base.slice(1800)];
    expect(textOf(big(local, sameLines))).toBe(lines(...local.slice(0, 1500), ...sameLines.slice(1500)));
    // One side moves a line inside its big region (no new copy), the other adds a copy: clean, either way round.
    const rotated = [...base.slice(1, 300), base[0]!, ...base.slice(300)];
    const addsFirst = [...base.slice(0, 1500), ...remote.slice(1500), base[0]!];
    expect(textOf(big(rotated, addsFirst))).toBe(lines(...rotated.slice(0, 1500), ...addsFirst.slice(1500)));
    const addsLast = [...local.slice(0, 300), base[1999]!, ...base.slice(300)];
    const rotatedEnd = [...base.slice(0, 1500), ...base.slice(1501), base[1500]!];
    expect(textOf(big(addsLast, rotatedEnd))).toBe(lines(...addsLast.slice(0, 1501), ...rotatedEnd.slice(1500)));
  });
});

describe('mergeText: line endings', () => {
  it('keeps CRLF when every side uses it', () => {
    expect(textOf(mergeText('a\r\nb\r\nc\r\n', 'A\r\nb\r\nc\r\n', 'a\r\nb\r\nC\r\n'))).toBe('A\r\nb\r\nC\r\n');
  });

  it('takes a conversion to LF made by one side while merging the other side line edit', () => {
    expect(textOf(mergeText('a\r\nb\r\nc\r\n', 'a\nb\nc\n', 'a\r\nb\r\nC\r\n'))).toBe('a\nb\nC\n');
    expect(textOf(mergeText('a\r\nb\r\nc\r\n', 'a\r\nb\r\nC\r\n', 'a\nb\nc\n'))).toBe('a\nb\nC\n');
  });

  it('never makes a conflict out of a line-ending conversion', () => {
    expect(mergeText('a\nb\nc', 'a\r\nb\r\nc', 'a\nB\nc').clean).toBe(true);
  });

  it('takes a final newline added by one side while merging the other side line edit', () => {
    expect(textOf(mergeText('a\nb\nc', 'a\nb\nc\n', 'A\nb\nc'))).toBe('A\nb\nc\n');
    expect(textOf(mergeText('a\nb\nc', 'A\nb\nc', 'a\nb\nc\n'))).toBe('A\nb\nc\n');
  });

  it('takes a final newline removed by one side while merging the other side line edit', () => {
    expect(textOf(mergeText('a\nb\nc\n', 'a\nb\nc', 'A\nb\nc\n'))).toBe('A\nb\nc');
    expect(textOf(mergeText('a\nb\nc\n', 'A\nb\nc\n', 'a\nb\nc'))).toBe('A\nb\nc');
  });

  it('does not mistake a line appended after a missing final newline for an edit of the last line', () => {
    expect(textOf(mergeText('a\nb\nc', 'a\nb\nc\nd', 'A\nb\nc'))).toBe('A\nb\nc\nd');
  });

  it('joins by CRLF a merge whose line ends in a lone carriage return, so it reads back as the same lines', () => {
    // Remote's lines are "\r" and "", local converted to LF: "\r" + LF would read back as one CRLF break.
    expect(textOf(mergeText('\r\nx\n', '\nx\n', '\r\r\nx\ny\n'))).toBe('\r\r\nx\r\ny\r\n');
  });

  it('keeps a lone carriage return inside a line as text', () => {
    expect(textOf(mergeText('a\rb\nc\nd', 'a\rb\nc\nD', 'A\rb\nc\nd'))).toBe('A\rb\nc\nD');
  });
});
