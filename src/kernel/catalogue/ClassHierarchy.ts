/**
 * The class hierarchy that class conformance (`metaCast`) and candidate lookup need.
 *
 * In the kernel every class knows its superclass through its OSMetaClass. Outside a live kernel
 * (an imported `ioreg` dump, or a kext whose binary is not loaded) we only know what a table says:
 * exact superclass links taken from Apple's headers, plus weaker "Y conforms to X" facts (Y is X
 * or a subclass of X, chain unknown) observed in other machines' dumps. {@link ClassHierarchy}
 * holds both and answers `conformsTo` and `classChain` from them.
 *
 * Invariants: links never form a cycle (an added link that would close one is refused); every
 * answer is computed from facts added before the question, and memoised answers are dropped when a
 * fact is added.
 */

/** The root of every driver and nub class. */
export const IOService = "IOService";

export class ClassHierarchy {
  readonly #superclass = new Map<string, string>();
  readonly #conforms = new Map<string, Set<string>>();
  #chainCache = new Map<string, readonly string[]>();

  /** Builds a hierarchy from `[class, superclass]` links and `[class, ancestor]` conformance facts. */
  constructor(links: Iterable<readonly [string, string]> = [], conformances: Iterable<readonly [string, string]> = []) {
    for (const [c, s] of links) this.addSuperclass(c, s);
    for (const [c, a] of conformances) this.addConformance(c, a);
  }

  /** Records that `superclass` is the direct superclass of `className`. Returns false if refused. */
  addSuperclass(className: string, superclass: string): boolean {
    if (className === superclass || this.#reaches(superclass, className)) return false;
    if (this.#superclass.has(className)) return this.#superclass.get(className) === superclass;
    this.#superclass.set(className, superclass);
    this.#chainCache = new Map();
    return true;
  }

  /** Records that `className` conforms to `ancestor` (chain unknown). Returns false if refused. */
  addConformance(className: string, ancestor: string): boolean {
    if (className === ancestor) return true;
    if (this.#reaches(ancestor, className)) return false;
    let set = this.#conforms.get(className);
    if (set === undefined) this.#conforms.set(className, (set = new Set()));
    set.add(ancestor);
    this.#chainCache = new Map();
    return true;
  }

  /** The direct superclass, when a header link is known. */
  superclassOf(className: string): string | undefined {
    return this.#superclass.get(className);
  }

  /** Whether anything is known about the class beyond its name. */
  knows(className: string): boolean {
    return this.#superclass.has(className) || this.#conforms.has(className);
  }

  /**
   * The class and everything it is known to conform to: the superclass chain first (most-derived
   * first), then classes known only by conformance facts, each followed by its own chain.
   */
  classChain(className: string): readonly string[] {
    const cached = this.#chainCache.get(className);
    if (cached !== undefined) return cached;
    const out: string[] = [];
    const seen = new Set<string>();
    // Explicit work list: a breadth of facts, never recursion on input depth.
    const work: string[] = [className];
    while (work.length > 0) {
      let c: string | undefined = work.shift() as string;
      while (c !== undefined && !seen.has(c)) {
        seen.add(c);
        out.push(c);
        for (const a of this.#conforms.get(c) ?? []) if (!seen.has(a)) work.push(a);
        c = this.#superclass.get(c);
      }
    }
    this.#chainCache.set(className, out);
    return out;
  }

  /** `metaCast`: true when `className` is `ancestor` or is known to derive from it. */
  conformsTo(className: string, ancestor: string): boolean {
    return className === ancestor || this.classChain(className).includes(ancestor);
  }

  /** Every `[class, superclass]` link. */
  links(): Iterable<readonly [string, string]> {
    return this.#superclass.entries();
  }

  #reaches(from: string, to: string): boolean {
    return this.classChain(from).includes(to);
  }
}
