/**
 * The kernel's KPI libraries for a symbol search (kextlibs) or a trial link (kextutil): which
 * `com.apple.kpi.*` symbol sets join the library kexts found in the repositories, for one
 * architecture.
 *
 * Without a kernel file, a KPI that a repository already provides (a System.kext plug-in with a
 * symbol-set executable, from a Mac or a KDK) is searched there, and every other KPI comes from
 * the sets bundled with iokit-ts (xnu's export lists). With `-kernel PATH`, the kernel's own sets
 * (its `__LINKINFO,__symbolsets`, or its symbol table filtered through the bundled lists) replace
 * every repository's copy of those KPIs. The KPI options (`-unsupported`, `-non-kpi`) filter both.
 *
 * State: a {@link KernelSource} caches the sets it decoded, per architecture. No I/O: the host
 * reads the kernel file.
 */
import { MachOFormatError } from "../../formats/index.ts";
import { isSearchableLibraryID, type LinkLibrary, type SearchableLibraryOptions } from "../findLinkDependencies.ts";
import { bundledKernelSymbolSets, type KernelSymbolSet } from "./KernelSymbolSet.ts";
import { KernelSymbolSetError, readKernelSymbolSets } from "./readKernelSymbolSets.ts";

/** A kernel named by `-kernel`, read once; its sets are decoded per architecture on demand. */
export interface KernelSource {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sets: Map<string, KernelSymbolSet[] | undefined>;
}

/** The kernel's sets for `arch` (undefined: no such slice), or the one-line message to print. */
export function kernelSets(kernel: KernelSource, arch: string): KernelSymbolSet[] | undefined | string {
  if (!kernel.sets.has(arch)) {
    try {
      kernel.sets.set(arch, readKernelSymbolSets(kernel.bytes, arch, kernel.path));
    } catch (e) {
      if (e instanceof MachOFormatError) return `${kernel.path}: ${e.message}.\n`;
      if (e instanceof KernelSymbolSetError) return `${e.message}.\n`;
      throw e;
    }
  }
  return kernel.sets.get(arch);
}

/**
 * `libraries` (the repositories' library kexts for `arch`) plus the KPI symbol sets, or the
 * one-line message to print when the `-kernel` file cannot serve.
 */
export function kernelLibraries(
  libraries: readonly LinkLibrary[], arch: string, kernel: KernelSource | undefined, options: SearchableLibraryOptions,
): LinkLibrary[] | string {
  let sets: KernelSymbolSet[];
  let kept: readonly LinkLibrary[] = libraries;
  if (kernel !== undefined) {
    const fromKernel = kernelSets(kernel, arch);
    if (typeof fromKernel === "string") return fromKernel;
    if (fromKernel === undefined) return `${kernel.path} does not contain code for architecture ${arch}.\n`;
    sets = fromKernel;
    const ids = new Set(sets.map((s) => s.bundleID));
    kept = libraries.filter((l) => l.kext.bundleID === undefined || !ids.has(l.kext.bundleID));
  } else {
    const present = new Set(libraries.map((l) => l.kext.bundleID));
    sets = bundledKernelSymbolSets(arch).filter((s) => !present.has(s.bundleID));
  }
  return [
    ...kept,
    ...sets.filter((s) => isSearchableLibraryID(s.bundleID, options)).map((s) => ({ kext: s, exports: s.exports, prefixes: s.prefixes })),
  ];
}
