/** Line-wise three-way merge of textarea values (diff3): a clean merge gives the text, overlapping edits give the hunks to review. */
import diff3Merge from 'diff3';

/** One region both sides changed differently, as lines of each version (line breaks removed). */
export interface TextHunk {
  /** 0-based index of the hunk's first line in the base text (for an insertion: where it goes). */
  baseIndex: number;
  base: string[];
  local: string[];
  remote: string[];
}

export type TextMerge = { clean: true; text: string } | { clean: false; hunks: TextHunk[] };

type Eol = '\n' | '\r\n';

/**
 * A text as lines without their breaks, plus its line-break style and whether it ends with a
 * break. Keeping the style and the final break apart from the lines means converting CRLF to
 * LF, or adding the missing final newline, does not touch every line (or the last one), so it
 * does not collide with the other side's line edits.
 */
interface Lines {
  lines: string[];
  /** null: the text has no line break, so no opinion on the style. */
  eol: Eol | null;
  finalEol: boolean;
}

function toLines(text: string): Lines {
  if (text === '') return { lines: [], eol: null, finalEol: false };
  const first = text.indexOf('\n');
  // The first line break sets the style: mixed endings are unified only when a merge rewrites the text.
  const eol: Eol | null = first < 0 ? null : first > 0 && text[first - 1] === '\r' ? '\r\n' : '\n';
  const finalEol = text.endsWith('\n');
  const body = finalEol ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return { lines: body.includes('\r') ? body.split(/\r?\n/) : body.split('\n'), eol, finalEol };
}

/** A side that changed the style wins (local first when both did); otherwise the base keeps its own. */
function mergeEol(base: Eol | null, local: Eol | null, remote: Eol | null): Eol {
  if (local !== null && local !== base) return local;
  if (remote !== null && remote !== base) return remote;
  return base ?? local ?? remote ?? '\n';
}

/** LF after a line that ends in a lone CR would read back as one CRLF break, losing a line: such lines are joined by CRLF. */
function safeEol(lines: readonly string[], finalEol: boolean): Eol {
  const joined = finalEol ? lines.length : lines.length - 1;
  for (let i = 0; i < joined; i++) if ((lines[i] as string).endsWith('\r')) return '\r\n';
  return '\n';
}

/** Whether the text ends with a line break, merged like a scalar; local wins when both changed it (they cannot disagree otherwise). */
function mergeFinalEol(base: boolean, local: boolean, remote: boolean): boolean {
  return local === base ? remote : local;
}

/**
 * A side's line edit seen from the base: base[start, end) became side[start, sideEnd). Found by
 * the lines it shares with the base at both ends, so everything the side changed lies inside.
 */
interface Span {
  start: number;
  end: number;
  sideEnd: number;
}

function spanOf(base: readonly string[], side: readonly string[]): Span {
  const limit = Math.min(base.length, side.length);
  let start = 0;
  while (start < limit && base[start] === side[start]) start++;
  let suffix = 0;
  while (suffix < limit - start && base[base.length - 1 - suffix] === side[side.length - 1 - suffix]) suffix++;
  return { start, end: base.length - suffix, sideEnd: side.length - suffix };
}

function unchanged(span: Span, base: readonly string[], side: readonly string[]): boolean {
  return span.start === base.length && base.length === side.length;
}

/** How often each line occurs in lines[from, to). */
function counts(lines: readonly string[], from = 0, to = lines.length): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = from; i < to; i++) out.set(lines[i] as string, (out.get(lines[i] as string) ?? 0) + 1);
  return out;
}

/**
 * Whether merged[from, ...) holds a line more often than the two edits put it there. Each side's
 * edit adds (or removes) copies of a line; applying both gives base + both changes, local +
 * remote - base copies, unless both made the same change, which a merge makes once (the more of
 * local and remote). A line both sides moved is in each side once and in the base once: a merge
 * holding it twice invented a copy. Counted over the region the sides changed only (`base`,
 * `local`, `remote` are that region), since the rest is the same in all three texts.
 */
function inventsCopies(merged: readonly string[], from: number, base: readonly string[], local: readonly string[], remote: readonly string[]): boolean {
  const b = counts(base);
  const l = counts(local);
  const r = counts(remote);
  for (const [line, n] of counts(merged, from)) {
    const ln = l.get(line) ?? 0;
    const rn = r.get(line) ?? 0;
    if (n > Math.max(ln, rn, ln + rn - (b.get(line) ?? 0))) return true;
  }
  return false;
}

/** One hunk over base[start, end) and what each side holds there: for a merge that would invent content. */
function wholeHunk(base: string[], local: string[], remote: string[], start: number, end: number): { hunks: TextHunk[] } {
  const suffix = base.length - end;
  return { hunks: [{ baseIndex: start, base: base.slice(start, end), local: local.slice(start, local.length - suffix), remote: remote.slice(start, remote.length - suffix) }] };
}

/** Both edits applied to the base; only for spans apart by at least one line (`first` ends before `second` starts). */
function applyApart(base: string[], first: Span, firstSide: string[], second: Span, secondSide: string[]): string[] {
  return [
    ...base.slice(0, first.start),
    ...firstSide.slice(first.start, first.sideEnd),
    ...base.slice(first.end, second.start),
    ...secondSide.slice(second.start, second.sideEnd),
    ...base.slice(second.end),
  ];
}

/**
 * The merged lines, or the hunks both sides changed differently. diff3 costs microseconds even
 * on a few lines, so the common cases skip it: one side left the lines alone, or the two edits
 * lie apart with an unchanged line between them (diff3 conflicts only on edits that overlap or
 * touch). Otherwise, as git does, the lines all three share at both ends are set aside and diff3
 * runs on the rest. When no text repeats a line the result is exactly plain diff3's; with
 * repeated lines (blank lines, say) the alignment may differ from it, still applying both edits.
 * A clean result never holds a line more often than the two edits put it there: diff3 can do
 * that, e.g. to a line both sides moved, and such a merge is a conflict instead, one hunk over
 * the whole region the two sides changed.
 */
function mergeLines(base: string[], local: string[], remote: string[]): { lines: string[] } | { hunks: TextHunk[] } {
  const l = spanOf(base, local);
  const r = spanOf(base, remote);
  if (unchanged(l, base, local)) return { lines: remote };
  if (unchanged(r, base, remote)) return { lines: local };
  // Two edits apart apply exactly, each once: no line can end up more often than they put it.
  if (l.end < r.start) return { lines: applyApart(base, l, local, r, remote) };
  if (r.end < l.start) return { lines: applyApart(base, r, remote, l, local) };

  const prefix = Math.min(l.start, r.start);
  const suffix = Math.min(base.length - l.end, base.length - r.end);
  const b = base.slice(prefix, base.length - suffix);
  const a = local.slice(prefix, local.length - suffix);
  const c = remote.slice(prefix, remote.length - suffix);
  const lines = base.slice(0, prefix);
  const hunks: TextHunk[] = [];
  if (a.length <= 1 && b.length <= 1 && c.length <= 1) {
    // Both sides replaced the same line (or inserted at the same place): what diff3 would say.
    if (a[0] !== c[0]) return { hunks: [{ baseIndex: prefix, base: b, local: a, remote: c }] };
    for (const line of a) lines.push(line);
  } else {
    for (const block of diff3Merge(a, b, c)) {
      if (block.ok) {
        for (const line of block.ok) lines.push(line);
      } else if (block.conflict) {
        const x = block.conflict;
        hunks.push({ baseIndex: prefix + x.oIndex, base: x.o, local: x.a, remote: x.b });
      }
    }
  }
  if (hunks.length > 0) return { hunks };
  // diff3 can align repeated lines so that a line both sides moved lands twice: not a merge of their edits.
  if (inventsCopies(lines, prefix, b, a, c)) return wholeHunk(base, local, remote, prefix, base.length - suffix);
  for (let i = base.length - suffix; i < base.length; i++) lines.push(base[i] as string);
  return { lines };
}

/**
 * Merges two edits of a text against their common base. null and "" are both the empty text.
 * When one side left the text as it was, the other side's text is returned byte for byte.
 */
export function mergeText(base: string | null | undefined, local: string | null | undefined, remote: string | null | undefined): TextMerge {
  const b = base ?? '';
  const l = local ?? '';
  const r = remote ?? '';
  if (l === r || l === b) return { clean: true, text: r };
  if (r === b) return { clean: true, text: l };

  const bl = toLines(b);
  const ll = toLines(l);
  const rl = toLines(r);
  const merged = mergeLines(bl.lines, ll.lines, rl.lines);
  if ('hunks' in merged) return { clean: false, hunks: merged.hunks };
  if (merged.lines.length === 0) return { clean: true, text: '' };
  const finalEol = mergeFinalEol(bl.finalEol, ll.finalEol, rl.finalEol);
  let eol = mergeEol(bl.eol, ll.eol, rl.eol);
  // Only a text holding a CR can give a line that ends in one.
  if (eol === '\n' && (b.includes('\r') || l.includes('\r') || r.includes('\r'))) eol = safeEol(merged.lines, finalEol);
  return { clean: true, text: merged.lines.join(eol) + (finalEol ? eol : '') };
}
