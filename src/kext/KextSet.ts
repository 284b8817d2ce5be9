/**
 * The kexts known to a user-space session — what `OSKextCreateKextsFromURLs` leaves behind after
 * reading the repositories and named kexts. Unlike the kernel, which keeps one kext per identifier,
 * user space keeps every version and orders kexts with the same identifier highest version first,
 * so library selection takes the first compatible one.
 */
import type { OSKext } from "./OSKext.ts";

export class KextSet {
  readonly #all: OSKext[] = [];
  readonly #byID = new Map<string, OSKext[]>();
  readonly #byPath = new Map<string, OSKext>();

  constructor(kexts: Iterable<OSKext> = []) {
    for (const k of kexts) this.add(k);
  }

  /** Adds a kext; a second kext at an already-known path is ignored (first one wins). */
  add(kext: OSKext): void {
    if (this.#byPath.has(kext.path)) return;
    this.#byPath.set(kext.path, kext);
    this.#all.push(kext);
    const id = kext.bundleID;
    if (id === undefined) return;
    const list = this.#byID.get(id) ?? [];
    list.push(kext);
    // Stable: equal versions keep the order they were added in (named kexts before repositories).
    list.sort((a, b) => (a.version > b.version ? -1 : a.version < b.version ? 1 : 0));
    this.#byID.set(id, list);
  }

  /** Every kext, in the order added. */
  all(): readonly OSKext[] {
    return this.#all;
  }

  /** Kexts with this identifier, highest version first. */
  withIdentifier(id: string): readonly OSKext[] {
    return this.#byID.get(id) ?? [];
  }

  withPath(path: string): OSKext | undefined {
    return this.#byPath.get(path);
  }

  /** Identifiers held by more than one kext. */
  duplicateIdentifiers(): string[] {
    return [...this.#byID].filter(([, l]) => l.length > 1).map(([id]) => id);
  }

  get size(): number {
    return this.#all.length;
  }
}
