/**
 * Property-list codecs (L1, pure): Apple's XML and binary (`bplist00`) formats, read to and
 * written from the typed {@link OSValue} model with exact integer/real/date/data fidelity.
 */
export { PlistFormatError, PlistSyntaxError } from "./PlistSyntaxError.ts";
export { XMLPlistParser, decodeXMLBytes, parseXMLPlist } from "./parseXMLPlist.ts";
export { isBinaryPlist, parseBinaryPlist } from "./parseBinaryPlist.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
