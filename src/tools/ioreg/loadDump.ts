/**
 * Opens a registry dump of any kind for `iokit ioreg --import`: `ioreg` text (with or without
 * `-l`, any generation), `ioreg -a` archives (XML or binary plist), and IORegistryExplorer `.ioreg`
 * saves. The kind is told by content, never by the file name (real `.ioreg` files are sometimes
 * text).
 */
import {
  importIORegArchive, importIORegExplorerSave, importIORegText, isBinaryPlist, parseBinaryPlist, parseXMLPlist,
  type IORegImportResult,
} from "../../formats/index.ts";

/** What kind of dump the bytes hold. */
export type DumpKind = "text" | "archive" | "explorer-save";

function startsXML(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x3c && (bytes[i + 1] === 0x3f || bytes[i + 1] === 0x21 || bytes[i + 1] === 0x70); // <? <! <p
}

/** Whether a binary plist mentions NSKeyedArchiver's `$archiver` key (cheap test before parsing). */
function hasArchiverMarker(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes("$archiver");
}

/** Imports a dump. `strict` turns damage into an error. */
export function importDump(bytes: Uint8Array, options: { strict?: boolean; plane?: string } = {}): IORegImportResult & { kind: DumpKind } {
  if (isBinaryPlist(bytes)) {
    // A keyed archive is an IORegistryExplorer save; any other binary plist is `ioreg -a` converted.
    if (hasArchiverMarker(bytes)) return { ...importIORegExplorerSave(bytes, options), kind: "explorer-save" };
    return { ...importIORegArchive(parseBinaryPlist(bytes), options), kind: "archive" };
  }
  if (startsXML(bytes)) return { ...importIORegArchive(parseXMLPlist(bytes), options), kind: "archive" };
  return { ...importIORegText(bytes, options), kind: "text" };
}
