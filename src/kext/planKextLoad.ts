/**
 * Steps 1, 5 and 6 of `OSKext::load` plus the catalogue's checks, done before a load changes
 * anything: the kext must validate, its libraries must resolve (a loop logs the kernel's
 * `has a dependency loop` line), every kext of the graph must validate, and every personality the
 * graph would send must pass the catalogue's `validatePersonality` without errors. The result is
 * the load order (libraries first) with each kext's personalities, or the kOSKextReturn code that
 * refuses the load; every refusal logs one line naming the message, the key and the bundle path.
 */
import { kOSKextReturn, type IOReturn } from "../base/index.ts";
import { validatePersonality } from "../kernel/index.ts";
import { isOSDictionary, type OSValue } from "../libkern/index.ts";
import type { KextAnalyzer } from "./analyzeKext.ts";
import { buildPersonalityCache } from "./kextCache.ts";
import type { OSKext } from "./OSKext.ts";
import type { DependencyResolver } from "./resolveDependencies.ts";

/** What a load will do, decided before anything changes. */
export interface LoadPlan {
  /** Kexts in load order, libraries first, the requested kext last. */
  readonly order: readonly OSKext[];
  readonly personalities: ReadonlyMap<OSKext, OSValue[]>;
}

/** Plans loading `kext`, or returns the kOSKextReturn code refusing it (after logging why). */
export function planKextLoad(kext: OSKext, analyzer: KextAnalyzer, arch: string | undefined, log: (line: string) => void): LoadPlan | IOReturn {
  const id = kext.bundleID ?? kext.path;
  /** The first validation failure as `<message>: <key>`, or undefined for a valid kext. */
  const invalid = (k: OSKext): string | undefined => {
    const d = analyzer.validation(k).find((x) => x.category === "validation");
    return d === undefined ? undefined : `${d.message}${d.subject !== undefined ? `: ${d.subject}` : ""}`;
  };
  const problem = invalid(kext);
  if (problem !== undefined) {
    log(`Kext ${id} is not loadable - ${problem} (${kext.path}).`);
    return kOSKextReturn.NotLoadable as number;
  }
  const resolution = analyzer.resolver.resolve(kext);
  if (!resolution.ok) {
    if (inDependencyLoop(kext, analyzer.resolver)) log(`Kext ${id} has a dependency loop; can't resolve dependencies.`);
    const libs = resolution.diagnostics.map((d) => `${d.message}${d.subject !== undefined ? `: ${d.subject}` : ""}`).join("; ");
    log(`Kext ${id} can't resolve dependencies${libs ? ` - ${libs}` : ""} (${kext.path}).`);
    return kOSKextReturn.Dependencies as number;
  }
  const order = analyzer.resolver.loadList(kext);
  const personalities = new Map<OSKext, OSValue[]>();
  for (const k of order) {
    const depProblem = k === kext ? undefined : invalid(k);
    if (depProblem !== undefined) {
      log(`Kext ${id} dependency ${k.bundleID ?? k.path} is not loadable - ${depProblem} (${k.path}).`);
      return kOSKextReturn.DependencyLoadError as number;
    }
    const list = k.isKernelComponent ? [] : buildPersonalityCache([k], arch);
    const names = [...k.personalities(arch).entries()].filter(([, p]) => isOSDictionary(p)).map(([n]) => n);
    for (const [i, p] of list.entries()) {
      const errors = validatePersonality(p, { bundle: k.bundleID, personality: names[i] }).filter((d) => d.severity === "error");
      if (errors.length === 0) continue;
      for (const d of errors) log(`Kext ${k.bundleID} personality ${d.personality ?? "?"} rejected by the catalogue: ${d.key}: ${d.message} (${k.path})`);
      return (k === kext ? kOSKextReturn.Validation : kOSKextReturn.DependencyLoadError) as number;
    }
    personalities.set(k, list);
  }
  return { order, personalities };
}

/** Whether `kext`'s libraries lead back to it (an explicit-stack walk over chosen libraries). */
function inDependencyLoop(kext: OSKext, resolver: DependencyResolver): boolean {
  const seen = new Set<OSKext>();
  const stack = [kext];
  while (stack.length > 0) {
    const k = stack.pop() as OSKext;
    for (const e of resolver.resolve(k).edges) {
      const t = e.target ?? (e.failure === "circular" || e.failure === "indirect" ? e.candidates[0] : undefined);
      if (t === kext) return true;
      if (t !== undefined && !seen.has(t)) { seen.add(t); stack.push(t); }
    }
  }
  return false;
}
