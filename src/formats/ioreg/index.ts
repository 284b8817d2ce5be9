/**
 * ioreg formats: the registry snapshot (plain data), importers for `ioreg` text, `ioreg -a`
 * archives and IORegistryExplorer saves, and the `ioreg` text renderer.
 */
export * from "./IORegistrySnapshot.ts";
