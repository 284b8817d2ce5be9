/**
 * NSKeyedArchiver object graphs on top of property lists ({@link unarchive}, {@link archive},
 * {@link KeyedArchive}) and IORegistryExplorer `.ioreg` documents built on them
 * ({@link readIORegistryExplorerSave}).
 */
export { KeyedArchiveError } from "./KeyedArchiveError.ts";
export { KeyedArchive, unarchive } from "./KeyedArchive.ts";
export { archive } from "./archive.ts";
export {
  readIORegistryExplorerSave, readIORegistryExplorerArchive, describeIORegistryExplorerSave,
  describeIORegistryExplorerArchive, type IORegExplorerNode, type IORegExplorerDocument, type IORegExplorerOptions,
} from "./readIORegistryExplorerSave.ts";
