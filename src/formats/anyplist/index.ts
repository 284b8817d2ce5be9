/**
 * Property lists of any format: sniffs binary, XML or OpenStep text and reads it with the right
 * codec ({@link readPlist}, {@link parsePlist}, {@link tryParsePlist}, {@link detectPlistFormat}).
 */
export { detectPlistFormat, parsePlist, readPlist, tryParsePlist, type PlistFormat, type PlistResult, type ReadPlist } from "./readPlist.ts";
