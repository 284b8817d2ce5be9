/**
 * Family matching (`matchPropertyTable`) as a pluggable table.
 *
 * In the kernel a family overrides `matchPropertyTable` on its nub class. Here a
 * {@link FamilyMatcher} names the nub classes it serves; {@link FamilyRegistry} picks the matcher of
 * the most-derived class in the nub's chain, as a virtual call would. The runtime may register the
 * families of kexts it loads; the defaults cover IOResources, PCI, USB (legacy and host), HID and
 * storage.
 */
import type { OSDictionary } from "../../libkern/index.ts";
import type { FamilyResult } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";

/** The CPU architecture the kernel was built for: PCI scoring differs (`ACPI_SUPPORT`). */
export type BuildArch = "x86_64" | "arm64";

/** What a family matcher may consult besides the table and the nub. */
export interface FamilyContext {
  readonly arch: BuildArch;
}

export interface FamilyMatcher {
  /** A short name for explanations, e.g. `IOPCIFamily`. */
  readonly name: string;
  /** The nub classes whose `matchPropertyTable` this is. */
  readonly nubClasses: readonly string[];
  /** `matchPropertyTable(table, &score)`: `score` starts at the table's `IOProbeScore`. */
  matchPropertyTable(table: OSDictionary, nub: MatchNub, score: number, ctx: FamilyContext): FamilyResult;
}

/** The family matchers by nub class. */
export class FamilyRegistry {
  readonly #byClass = new Map<string, FamilyMatcher>();

  constructor(matchers: Iterable<FamilyMatcher> = []) {
    for (const m of matchers) this.register(m);
  }

  /** Adds (or replaces) the matcher for its classes. */
  register(matcher: FamilyMatcher): void {
    for (const c of matcher.nubClasses) this.#byClass.set(c, matcher);
  }

  /** The matcher a virtual `matchPropertyTable` call on this nub reaches, or undefined (IOService: true). */
  matcherFor(nub: MatchNub): FamilyMatcher | undefined {
    for (const c of nub.classChain()) {
      const m = this.#byClass.get(c);
      if (m !== undefined) return m;
    }
    return undefined;
  }
}
