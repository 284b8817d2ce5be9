/**
 * kext (L3): kext management in user space — bundles read through a BundleSource, versions and
 * identifiers, validation diagnostics, dependency resolution and load order. Environment-neutral:
 * the host supplies file access.
 */
export * from "./BundleSource.ts";
export * from "./KextDiagnostic.ts";
export * from "./kextDiagnosticMessages.ts";
export * from "./kextExecutable.ts";
export * from "./buildPlaceholders.ts";
export { OSKext, DEFAULT_KEXT_ARCH, parseVersionValue, type KextBundleFile, type KextExecutable } from "./OSKext.ts";
export * from "./readKext.ts";
export { validateKext, OSBundleRequiredValues, type ValidateKextOptions } from "./validateKext.ts";
export { authenticateKext } from "./authenticateKext.ts";
export { KextSet } from "./KextSet.ts";
export * from "./resolveDependencies.ts";
export { qualifyKext, isStrayKextFile, type QualifyKextOptions } from "./qualifyKext.ts";
export * from "./analyzeKext.ts";
export * from "./dependencyGraph.ts";
export * from "./kextCache.ts";
export * from "./KextRuntime.ts";
export { KextResourceRequests, kextResourcePath, type OSKextRequestResourceCallback } from "./kextResourceRequests.ts";
export * from "./formatKextstat.ts";
export { kextErrorString } from "./kextErrorString.ts";
export { inspectKextMachO, type KextMachOInspection } from "./inspectKextExecutable.ts";
export {
  auditKextSymbols, symbolPrefixes, KEXT_GLUE_SYMBOLS, type KextSymbolAudit, type KextSymbolAuditOptions,
  type KextSymbolDiagnostic, type KextSymbolDiagnosticKind,
} from "./auditKextSymbols.ts";
export * from "./findLinkDependencies.ts";
export * from "./checkKextLinkage.ts";
