/**
 * Iteration over a plane that stays safe while the registry changes.
 *
 * Mechanism: depth-first, pre-order, children in attach order. When the iterator enters an entry
 * it copies that entry's child array (a per-level snapshot, taken lazily when the walk descends), so attaching or detaching entries
 * during the walk never skips or repeats a sibling and never throws. An entry reachable through
 * two parents is returned once. The registry's generation counter is recorded at start;
 * {@link IORegistryIterator.isValid} turns false once any link changed since, as XNU's
 * `IORegistryIterator::isValid` does, and {@link IORegistryIterator.reset} starts over on the
 * current topology. Entries detached after their level was copied may still be returned; callers
 * that care check `isValid()` or the entry's `inPlane()`.
 */
import type { IORegistryEntry } from "./IORegistryEntry.ts";
import type { IORegistryPlane } from "./IORegistryPlane.ts";

/** Options for {@link IORegistryIterator}. */
export interface IterateOptions {
  /** Walk the whole subtree (kIORegistryIterateRecursively); otherwise only direct children. */
  readonly recursive?: boolean;
  /** Walk up through parents instead of down through children (kIORegistryIterateParents). */
  readonly parents?: boolean;
  /** Return the start entry first. */
  readonly includeStart?: boolean;
}

interface Level {
  readonly entries: readonly IORegistryEntry[];
  i: number;
}

export class IORegistryIterator implements IterableIterator<IORegistryEntry> {
  readonly #start: IORegistryEntry;
  readonly #plane: IORegistryPlane;
  readonly #options: IterateOptions;
  readonly #generation: () => number;
  #startGeneration = 0;
  #stack: Level[] = [];
  #seen = new Set<IORegistryEntry>();
  #startPending = false;
  #expand: IORegistryEntry | undefined;

  constructor(start: IORegistryEntry, plane: IORegistryPlane, generation: () => number, options: IterateOptions = {}) {
    this.#start = start;
    this.#plane = plane;
    this.#options = options;
    this.#generation = generation;
    this.reset();
  }

  /** Starts over from the start entry on the current topology. */
  reset(): void {
    this.#startGeneration = this.#generation();
    this.#seen = new Set([this.#start]);
    this.#stack = [{ entries: this.#linksOf(this.#start), i: 0 }];
    this.#startPending = this.#options.includeStart === true;
    this.#expand = undefined;
  }

  /** False once the registry's topology changed since the iterator started or was reset. */
  isValid(): boolean {
    return this.#generation() === this.#startGeneration;
  }

  #linksOf(entry: IORegistryEntry): IORegistryEntry[] {
    const live = this.#options.parents ? entry.parentsAt(this.#plane.index) : entry.childrenAt(this.#plane.index);
    return live.length === 0 ? [] : live.slice();
  }

  next(): IteratorResult<IORegistryEntry> {
    if (this.#startPending) {
      this.#startPending = false;
      return { value: this.#start, done: false };
    }
    if (this.#expand !== undefined) {
      // Children are copied only now, after the caller has seen their parent, so changes the caller
      // made in between are reflected.
      this.#stack.push({ entries: this.#linksOf(this.#expand), i: 0 });
      this.#expand = undefined;
    }
    while (this.#stack.length > 0) {
      const top = this.#stack[this.#stack.length - 1] as Level;
      if (top.i >= top.entries.length) {
        this.#stack.pop();
        continue;
      }
      const entry = top.entries[top.i++] as IORegistryEntry;
      if (this.#seen.has(entry)) continue;
      this.#seen.add(entry);
      if (this.#options.recursive) this.#expand = entry;
      return { value: entry, done: false };
    }
    return { value: undefined, done: true };
  }

  [Symbol.iterator](): IterableIterator<IORegistryEntry> {
    return this;
  }
}
