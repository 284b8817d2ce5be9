/**
 * Writes `ioreg -a` output: the archive value as an Apple XML property list (CFPropertyListWrite).
 */
import type { OSValue } from "../../libkern/index.ts";

/** The XML text of an archive value. */
export function writeArchive(value: OSValue): string {
  void value;
  throw new Error("archive output needs the XML plist writer (pending merge)");
}
