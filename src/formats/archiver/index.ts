/**
 * NSKeyedArchiver object graphs on top of property lists ({@link unarchive}, {@link archive},
 * {@link KeyedArchive}) and IORegistryExplorer `.ioreg` documents built on them
 * ({@link readIORegistryExplorerSave}).
 */
export { KeyedArchiveError } from "./KeyedArchiveError.ts";
export { KeyedArchive, unarchive } from "./KeyedArchive.ts";
export { archive } from "./archive.ts";
export {
  readIORegistryExplorerSave, readIORegistryExplorerArchive, describeIORegistryExplorerSave, treeOfPlane,
  type IORegExplorerNode, type IORegExplorerOptions,
} from "./readIORegistryExplorerSave.ts";
export {
  readIORegistryExplorerGraph, describeIORegistryExplorerArchive, parseIORegistryExplorerBytes,
  type IORegExplorerEntry, type IORegExplorerGraph, type IORegExplorerDocument,
} from "./readIORegistryExplorerGraph.ts";
