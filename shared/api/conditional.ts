/**
 * Conditional GET (RFC 9110 §8.8.3, §13.1.2): the entity tag of an answer and the judgement of
 * If-None-Match against it. Tags are weak: the bytes of one answer differ with its content
 * coding (br, gzip, none), its meaning does not.
 */
import { createHash } from 'node:crypto';

/** The weak entity tag of a JSON answer: a hash of its text, so equal answers have equal tags. */
export function entityTag(json: string): string {
  return `W/"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/** `*`, or the opaque tags of an If-None-Match value (quotes kept, W/ dropped); null when it does not parse. */
export function parseIfNoneMatch(value: string): '*' | string[] | null {
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  // entity-tag = [ W/ ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text: a comma may sit inside the quotes.
  const member = /[ \t]*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)/y;
  let at = 0;
  while (at < value.length) {
    // Empty list members (`a, , b`) are allowed by the list rule (RFC 9110 §5.6.1).
    const empty = /[ \t]*,/y;
    empty.lastIndex = at;
    if (empty.test(value)) {
      at = empty.lastIndex;
      continue;
    }
    member.lastIndex = at;
    const found = member.exec(value);
    if (!found) return value.slice(at).trim() === '' ? tags : null;
    tags.push(found[1]!);
    at = member.lastIndex;
  }
  return tags;
}

/**
 * Whether a GET with this If-None-Match is answered 304 for a representation tagged `etag`:
 * `*` matches any current representation, a list matches when one of its tags is the same
 * opaque tag (weak comparison). An unreadable value is ignored: the full answer is never wrong.
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const parsed = parseIfNoneMatch(ifNoneMatch);
  if (parsed === null) return false;
  if (parsed === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return parsed.includes(opaque);
}
