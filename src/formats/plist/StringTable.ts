/**
 * One copy of each distinct dictionary key of a document. Keys repeat in every dictionary; sharing
 * them shrinks the value tree, and looking them up by their range in the scanner's window (hash of
 * the characters, then `startsWith`) allocates nothing when the key was seen before.
 *
 * Open addressing with linear probing in a power-of-two table kept at most half full; the table
 * holds the hash of each entry so a probe rejects most mismatches without touching characters.
 * Memory is proportional to the distinct keys, so to the input.
 */
export class StringTable {
  #strings = emptySlots(64);
  #hashes = new Int32Array(64);
  #size = 0;

  /** The shared copy of `text.slice(start, end)`; a new entry is a flat copy, never a view of `text`. */
  intern(text: string, start: number, end: number): string {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const mask = this.#strings.length - 1;
    const n = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.#strings[i];
      if (s === undefined) return this.#insert(i, h, copyOf(text, start, end));
      if (this.#hashes[i] === h && s.length === n && text.startsWith(s, start)) return s;
    }
  }

  #insert(at: number, hash: number, s: string): string {
    this.#strings[at] = s;
    this.#hashes[at] = hash;
    if (++this.#size * 2 > this.#strings.length) this.#grow();
    return s;
  }

  #grow(): void {
    const strings = this.#strings;
    const hashes = this.#hashes;
    this.#strings = emptySlots(strings.length * 2);
    this.#hashes = new Int32Array(strings.length * 2);
    const mask = this.#strings.length - 1;
    for (let k = 0; k < strings.length; k++) {
      const s = strings[k];
      if (s === undefined) continue;
      let i = (hashes[k] as number) & mask;
      while (this.#strings[i] !== undefined) i = (i + 1) & mask;
      this.#strings[i] = s;
      this.#hashes[i] = hashes[k] as number;
    }
  }
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
