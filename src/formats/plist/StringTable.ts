/**
 * Shared copies of the strings a document repeats: dictionary keys (in every dictionary) and short
 * values (class names, bundle identifiers). Sharing them shrinks the value tree, and looking one up
 * by its range in the scanner's window (a hash of sampled characters, then a character compare)
 * allocates nothing when the string was seen recently.
 *
 * A direct-mapped cache of fixed size, not a growing table: a document with many distinct keys
 * (every top-level key unique) would otherwise grow and probe an ever larger table, which cost
 * more than the copies it saved. A miss copies the text and takes the slot, so a string that
 * recurs is shared from its second use on unless another string hashes to its slot in between.
 * Memory is fixed (the slots) plus nothing: strings live in the value tree anyway.
 */
export class StringTable {
  readonly #strings = emptySlots(SLOTS);
  readonly #hashes = new Int32Array(SLOTS);

  /** A copy of `text.slice(start, end)`, shared with earlier equal strings; never a view of `text`. */
  intern(text: string, start: number, end: number): string {
    const h = hashOf(text, start, end);
    const i = (h ^ (h >>> 15)) & (SLOTS - 1);
    const s = this.#strings[i];
    if (s !== undefined && this.#hashes[i] === h && s.length === end - start && sameAt(text, start, s)) return s;
    const copy = copyOf(text, start, end);
    this.#strings[i] = copy;
    this.#hashes[i] = h;
    return copy;
  }
}

const SLOTS = 1 << 14;

/**
 * FNV-1a of the length and at most 9 characters: all of a short string, else the first two,
 * those at the quarter points and the last four. Equal strings hash equal; a collision costs a copy, never a
 * wrong answer, and the compare reads every character anyway, so sampling halves the reads.
 */
function hashOf(text: string, start: number, end: number): number {
  const n = end - start;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  if (n <= 9) {
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h;
  }
  const q = n >> 2;
  h = Math.imul(h ^ text.charCodeAt(start), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + 1), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + q), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + 2 * q), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + 3 * q), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(end - 4), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(end - 3), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(end - 2), 0x01000193);
  return Math.imul(h ^ text.charCodeAt(end - 1), 0x01000193);
}

/** Whether `s` occurs in `text` at `at` (`startsWith` without its builtin call, for short strings). */
export function sameAt(text: string, at: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (text.charCodeAt(at + k) !== s.charCodeAt(k)) return false;
  return true;
}

/** A packed array of `n` empty slots (`new Array(n)` beyond 100,000 elements is a slow dictionary). */
function emptySlots(n: number): (string | undefined)[] {
  const a: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}

/**
 * `text.slice(start, end)` as a string of its own. V8 represents a slice of 13 or more characters
 * as a view that keeps all of `text` alive (and a concatenation as a tree of its pieces): kept in
 * the value tree, such strings would pin whole windows of the document text. Joining two slices
 * with `Array.prototype.join` always builds one new flat string. (Tricks such as concatenating and
 * slicing again, or reading a character to flatten, are not reliable: optimized code folds them
 * away or walks the pieces without flattening.) V8 always copies shorter slices.
 */
export function copyOf(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end);
  return [text.slice(start, start + 12), text.slice(start + 12, end)].join("");
}
