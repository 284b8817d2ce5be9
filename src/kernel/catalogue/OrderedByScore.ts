/**
 * xnu's `OSOrderedSet` with `IOServiceOrdering`: descending order of a 32-bit signed score, FIFO
 * among equal scores (a new element goes after the existing ones with the same score), and adding
 * the same object twice is a no-op. Used for catalogue candidates, family matches, start lists, and
 * by the runtime to merge publish notifiers (by priority) into the candidate list.
 */
export class OrderedByScore<T> {
  readonly #items: { item: T; score: number }[] = [];
  readonly #members = new Set<T>();

  /** Inserts `item` after every element whose score is >= `score`. Returns false for a duplicate. */
  insert(item: T, score: number): boolean {
    if (this.#members.has(item)) return false;
    this.#members.add(item);
    const a = this.#items;
    // Binary search for the first element with a strictly lower score.
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((a[mid] as { score: number }).score >= score) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, { item, score });
    return true;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The items in order. */
  items(): T[] {
    return this.#items.map((e) => e.item);
  }

  /** Items with their scores, in order. */
  entries(): readonly { readonly item: T; readonly score: number }[] {
    return this.#items;
  }
}
