/**
 * libkern (L1): the typed value model shared by every codec and by the registry.
 */
export * from "./OSValue.ts";
export * from "./OSKextVersion.ts";
export * from "./OSKextBundleIdentifier.ts";
