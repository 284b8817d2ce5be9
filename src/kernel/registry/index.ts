/**
 * The I/O Registry: entries, planes, paths, iteration, service state and busy counts, snapshots.
 * The runtime (IOService, matching) builds on these classes.
 */
export { IORegistry, type IORegistryOptions, type BusyListener } from "./IORegistry.ts";
export { IORegistryEntry, type IORegistryEntryOptions, type RegistryClass, type RegistryHost } from "./IORegistryEntry.ts";
export { IORegistryIterator, type IterateOptions } from "./IORegistryIterator.ts";
export * from "./IORegistryPlane.ts";
export { compareLocations, type PathLookup } from "./registryPath.ts";
export * from "./serviceState.ts";
