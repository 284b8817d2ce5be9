/**
 * The class hierarchy matching uses outside a live kernel: Apple's header links
 * ({@link APPLE_CLASS_LINKS}) plus the conformance facts observed in other machines' dumps
 * (`appleClassesObserved.ts`). `excludeDump` (the short SHA-256 of a dump, as the generator
 * records it) leaves out facts that only that dump shows, so that replaying a corpus dump never
 * uses what was learned from the dump itself.
 */
import { APPLE_CLASS_LINKS } from "./appleClasses.ts";
import { OBSERVED_CONFORMANCES, OBSERVED_LINKS, OBSERVED_OVERRIDES, type ObservedFact } from "./appleClassesObserved.ts";
import { ClassHierarchy } from "./ClassHierarchy.ts";

export interface AppleHierarchyOptions {
  /** Leave out facts whose only source is this dump digest. */
  readonly excludeDump?: string;
}

const usable = (f: ObservedFact, exclude: string | undefined): boolean => f[2].some((s) => s !== exclude);

/** Builds the hierarchy. */
export function appleClassHierarchy(options: AppleHierarchyOptions = {}): ClassHierarchy {
  const h = new ClassHierarchy(APPLE_CLASS_LINKS);
  // A class whose superclass differs between OS releases conforms to each of them; a single
  // observed superclass is a link unless the headers already give another one.
  const supers = new Map<string, string[]>();
  for (const f of OBSERVED_LINKS) {
    if (!usable(f, options.excludeDump)) continue;
    const list = supers.get(f[0]) ?? [];
    list.push(f[1]);
    supers.set(f[0], list);
  }
  for (const [cls, list] of supers) {
    if (list.length === 1 && h.addSuperclass(cls, list[0] as string)) continue;
    for (const s of list) h.addConformance(cls, s);
  }
  for (const f of OBSERVED_CONFORMANCES) if (usable(f, options.excludeDump)) h.addConformance(f[0], f[1]);
  return h;
}

/** How many observed facts a hierarchy built with `options` uses and leaves out. */
export function observedFactCounts(options: AppleHierarchyOptions = {}): { used: number; excluded: number } {
  const all = [...OBSERVED_LINKS, ...OBSERVED_CONFORMANCES];
  const used = all.filter((f) => usable(f, options.excludeDump)).length;
  return { used, excluded: all.length - used };
}

/**
 * The kernel classes known to hide behind an `IOClassNameOverride` name (IOUSBHostDevice shows
 * itself as IOUSBDevice to user space, so IORegistryExplorer saves record the override), from
 * text dumps that print both.
 */
export function classNameOverrides(options: AppleHierarchyOptions = {}): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const f of OBSERVED_OVERRIDES) {
    if (!usable(f, options.excludeDump)) continue;
    const list = out.get(f[0]) ?? [];
    list.push(f[1]);
    out.set(f[0], list);
  }
  return out;
}
