/**
 * The class hierarchy matching uses outside a live kernel: Apple's header links
 * ({@link APPLE_CLASS_LINKS}) plus the conformance facts observed in other machines' dumps
 * (`appleClassesObserved.ts`). `excludeDump` (the short SHA-256 of a dump, as the generator
 * records it) leaves out facts that only that dump shows, so that replaying a corpus dump never
 * uses what was learned from the dump itself.
 */
import { APPLE_CLASS_LINKS } from "./appleClasses.ts";
import { OBSERVED_CONFORMANCES, OBSERVED_LINKS, type ObservedFact } from "./appleClassesObserved.ts";
import { ClassHierarchy } from "./ClassHierarchy.ts";

export interface AppleHierarchyOptions {
  /** Leave out facts whose only source is this dump digest. */
  readonly excludeDump?: string;
}

const usable = (f: ObservedFact, exclude: string | undefined): boolean => f[2].some((s) => s !== exclude);

/** Builds the hierarchy. */
export function appleClassHierarchy(options: AppleHierarchyOptions = {}): ClassHierarchy {
  const h = new ClassHierarchy(APPLE_CLASS_LINKS);
  for (const f of OBSERVED_LINKS) if (usable(f, options.excludeDump)) h.addSuperclass(f[0], f[1]);
  for (const f of OBSERVED_CONFORMANCES) if (usable(f, options.excludeDump)) h.addConformance(f[0], f[1]);
  return h;
}

/** How many observed facts a hierarchy built with `options` uses and leaves out. */
export function observedFactCounts(options: AppleHierarchyOptions = {}): { used: number; excluded: number } {
  const all = [...OBSERVED_LINKS, ...OBSERVED_CONFORMANCES];
  const used = all.filter((f) => usable(f, options.excludeDump)).length;
  return { used, excluded: all.length - used };
}
