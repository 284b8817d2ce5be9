/**
 * ioreg formats: the registry snapshot (plain data), importers for `ioreg` text, `ioreg -a`
 * archives and IORegistryExplorer saves, and the `ioreg` text renderer.
 */
export * from "./IORegistrySnapshot.ts";
export * from "./IORegSyntaxError.ts";
export { importIORegText, parseNodeLine, type IORegTextOptions } from "./parseIORegText.ts";
export { IORegValueReader, bytesToBinary, binaryToBytes, binaryToText, textToBinary, type TextDecodingStats } from "./parseIORegValue.ts";
export { formatIORegText, ioregMatches, snapshotConformsTo, type IORegFormatOptions } from "./formatIORegText.ts";
export { formatIORegValue, formatIORegData, dataIsStrings, type FormatValueOptions } from "./formatIORegValue.ts";
export { buildIORegArchive, importIORegArchive } from "./archiveIOReg.ts";
export { importIORegExplorerSave } from "./importIORegExplorerSave.ts";
export { snapshotDifference } from "./snapshotDifference.ts";
