/**
 * Property-list codecs (L1, pure): Apple's XML and binary (`bplist00`) formats, read to and
 * written from the typed {@link OSValue} model with exact integer/real/date/data fidelity.
 */
export { PlistFormatError, PlistSyntaxError } from "./PlistSyntaxError.ts";
export { XMLPlistParser, decodeXMLBytes, parseXMLPlist } from "./parseXMLPlist.ts";
export { isBinaryPlist, parseBinaryPlist } from "./parseBinaryPlist.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
export { PlistTypeError } from "./PlistTypeError.ts";
export { compareKeys, escapeXML, formatCFDate, writeXMLPlist, type XMLPlistWriteOptions } from "./writeXMLPlist.ts";
export { formatCFReal, formatG, formatG17 } from "./formatCFReal.ts";
export { writeBinaryPlist } from "./writeBinaryPlist.ts";
export { jsonString, writeJSONPlist, type JSONPlistWriteOptions } from "./writeJSONPlist.ts";
