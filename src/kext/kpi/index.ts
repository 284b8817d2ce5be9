/**
 * kext/kpi: the kernel's KPI symbol sets (com.apple.kpi.*) — bundled from xnu's export lists, or
 * read from a real kernel or kernel collection — for resolving a kext's undefined symbols.
 */
export * from "./KernelSymbolSet.ts";
export { readKernelSymbolSets, darwinKernelVersion, KernelSymbolSetError } from "./readKernelSymbolSets.ts";
export { kernelLibraries, kernelSets, type KernelSource } from "./kernelLibraries.ts";
export { kernelPseudoKexts } from "./kernelPseudoKexts.ts";
