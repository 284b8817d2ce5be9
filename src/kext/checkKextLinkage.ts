/**
 * The symbol half of the trial link `kextutil -n` performs (kxld's resolve and validate steps),
 * as a pure function over symbol tables: a kext links by name against its direct dependencies
 * only — the libraries its `OSBundleLibraries` resolved to — never against the kernel as a whole
 * nor against indirect dependencies.
 *
 * Two failures, in kxld's order: a symbol the kext exports that a declared library also exports
 * ("defined more than once": the kernel's namespace is flat), and then undefined symbols no
 * declared library exports ("unresolved"). Both reuse {@link findLinkDependencies}, kextlibs'
 * resolver, so the trial link and kextlibs can never disagree about who defines a symbol.
 * Divergence from XNU: no relocation, vtable patching or weak-reference handling is done; only
 * symbol resolution is checked.
 */
import { KEXT_GLUE_SYMBOLS } from "./auditKextSymbols.ts";
import {
  findLinkDependencies, type KextArchSymbols, type LinkLibrary, type LinkLibraryKext,
} from "./findLinkDependencies.ts";

/** The outcome of resolving one architecture of a kext against its declared libraries. */
export interface KextLinkage<K extends LinkLibraryKext = LinkLibraryKext> {
  /** Exported symbols of the kext that declared libraries export too, with those libraries, sorted by symbol. */
  readonly duplicates: ReadonlyMap<string, readonly K[]>;
  /** Undefined symbols no declared library exports, sorted. */
  readonly unresolved: readonly string[];
}

/** Checks `symbols` (one architecture of a kext) against the exports of its `declared` libraries. */
export function checkKextLinkage<K extends LinkLibraryKext>(
  symbols: KextArchSymbols, declared: readonly LinkLibrary<K>[],
): KextLinkage<K> {
  // Each kext defines its own glue (libkmod's `_kmod_info`, …); Libkern's export list aliases
  // `_kmod_info` only to catch a kext that lacks one, so those never collide.
  const own = findLinkDependencies([...symbols.definedSymbols].filter((s) => !KEXT_GLUE_SYMBOLS.has(s)), declared);
  const duplicates = new Map<string, readonly K[]>();
  for (const [s, k] of own.onedefSymbols) duplicates.set(s, [k]);
  for (const [s, ks] of own.multdefSymbols) duplicates.set(s, ks);
  const sorted = new Map([...duplicates].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { duplicates: sorted, unresolved: findLinkDependencies(symbols.undefinedSymbols, declared).undefinedSymbols };
}
