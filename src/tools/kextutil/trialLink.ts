/**
 * kextutil's trial link (`-n`, with or without `-t`): what `generateKextSymbols` finds out by
 * linking a kext with kxld, limited to symbol resolution. The kext's Mach-O slice for the target
 * architecture is resolved against the libraries its `OSBundleLibraries` resolved to (their own
 * executables' exports; for `com.apple.kpi.*`, a System.kext symbol-set executable in a
 * repository, else the bundled sets, or with `-kernel PATH` the kernel's sets), by
 * {@link checkKextLinkage}, the resolver kextlibs uses.
 *
 * Failures print kxld's lines (`kxld[<id>]: The following symbols are unresolved for this kext:`
 * then a tab and each symbol, C++ names demangled) and kextutil's `Check library declarations for
 * your kext with kextlibs(8).`; the kext then does not "appear to be loadable" (exit 4).
 * Ours, before kextutil's line: which undeclared libraries define the unresolved symbols, as
 * kextlibs prints libraries (`    <id> = <version>`).
 *
 * No link is tried (the verdict says "not including linkage") when the kext's executable is not
 * Mach-O (a JavaScript kext) or lacks the architecture, or when a declared library's symbols are
 * not known (no slice for the architecture, a non-Mach-O executable, a KPI no set covers).
 */
import {
  checkKextLinkage, findLinkDependencies, isSearchableLibrary, libraryExports, type KextAnalysis, type KextSet,
  type LinkLibrary, type OSKext,
} from "../../kext/index.ts";
import { kernelLibraries, type KernelSource } from "../../kext/kpi/index.ts";
import { cxxfilt } from "../../formats/index.ts";
import { OSKextVersionGetString } from "../../libkern/index.ts";
import { readKextArchSymbols } from "../../host/index.ts";

/** `linked` / `failed` (reported), `skipped` (no link possible), or a `-kernel` error line to print. */
export type TrialLinkResult = "linked" | "failed" | "skipped" | { readonly error: string };

/** Libraries link against every KPI, as kxld does: kextlibs' `-unsupported` filter is for advice only. */
const ALL_KPIS = { unsupported: true } as const;

/**
 * Mach-O libraries of `kexts` with a slice for `arch`. With `strict`, undefined when one (not a
 * kernel component, which the KPI sets cover) has code we cannot read; otherwise it is left out.
 */
async function machOLibraries(kexts: readonly OSKext[], arch: string, strict: boolean): Promise<LinkLibrary[] | undefined> {
  const out: LinkLibrary[] = [];
  for (const k of kexts) {
    if (!k.declaresExecutable) continue;
    const symbols = (await readKextArchSymbols(k))?.find((s) => s.arch === arch);
    if (symbols !== undefined) out.push({ kext: k, exports: libraryExports(k, symbols) });
    else if (strict && !k.isKernelComponent) return undefined;
  }
  return out;
}

/** Links `kext` for `arch` by symbols, printing kxld's and kextutil's lines on failure. */
export async function trialLink(
  kext: OSKext, analysis: KextAnalysis, set: KextSet, arch: string, kernel: KernelSource | undefined, log: (t: string) => void,
): Promise<TrialLinkResult> {
  const slice = (await readKextArchSymbols(kext))?.find((s) => s.arch === arch);
  const resolution = analysis.resolution;
  if (slice === undefined || resolution === undefined || !resolution.ok) return "skipped";
  const targets = resolution.edges.map((e) => e.target).filter((t): t is OSKext => t !== undefined);
  const own = await machOLibraries(targets, arch, true);
  if (own === undefined) return "skipped";
  const all = kernelLibraries(own, arch, kernel, ALL_KPIS);
  if (typeof all === "string") return { error: all };
  const ids = new Set(targets.map((t) => t.bundleID));
  const declared = all.filter((l) => ids.has(l.kext.bundleID));
  // A declared library whose exports are unknown (a KPI outside every set): no link to judge.
  if (targets.some((t) => (t.declaresExecutable || t.isKernelComponent) && !declared.some((l) => l.kext.bundleID === t.bundleID))) {
    return "skipped";
  }
  const linkage = checkKextLinkage(slice, declared);
  const kxld = `kxld[${kext.bundleID ?? ""}]: `;
  if (linkage.duplicates.size > 0) {
    log(`${kxld}The following symbols were defined more than once:\n`);
    // Divergence from XNU: kxld prints both definitions' link addresses; there is no link here,
    // so the line names the two definers instead.
    for (const [s, libs] of linkage.duplicates) log(`${kxld}\t${cxxfilt(s)}: ${kext.bundleID ?? ""} - ${libs.map((l) => l.bundleID).join(", ")}\n`);
  } else if (linkage.unresolved.length > 0) {
    log(`${kxld}The following symbols are unresolved for this kext:\n`);
    for (const s of linkage.unresolved) log(`${kxld}\t${cxxfilt(s)}\n`);
    await hintUndeclared(kext, linkage.unresolved, set, arch, kernel, ids, log);
  } else {
    return "linked";
  }
  log("Check library declarations for your kext with kextlibs(8).\n");
  return "failed";
}

/** Ours: the libraries, not declared by the kext, that define its unresolved symbols. */
async function hintUndeclared(
  kext: OSKext, unresolved: readonly string[], set: KextSet, arch: string, kernel: KernelSource | undefined,
  declaredIDs: ReadonlySet<string | undefined>, log: (t: string) => void,
): Promise<void> {
  const candidates = set.all().filter((k) => !declaredIDs.has(k.bundleID) && isSearchableLibrary(k, kext, ALL_KPIS));
  const libraries = (await machOLibraries(candidates, arch, false)) ?? [];
  const others = kernelLibraries(libraries, arch, kernel, ALL_KPIS);
  if (typeof others === "string") return;
  const found = findLinkDependencies(unresolved, others.filter((l) => !declaredIDs.has(l.kext.bundleID))).libraries;
  if (found.length === 0) return;
  log(`${kext.path} does not declare ${found.length === 1 ? "this library, which defines" : "these libraries, which define"} some of these symbols; add to OSBundleLibraries:\n`);
  for (const k of found) log(`    ${k.bundleID ?? k.path} = ${OSKextVersionGetString(k.version)}\n`);
}
