/**
 * Reads a `.strings` file in any of the forms a bundle may ship: the text format (UTF-8 or UTF-16
 * with BOM), or — as Xcode compiles them into built products — a binary or XML property list
 * holding a dictionary of strings. This is the dispatch CFBundle gets from
 * `CFPropertyListCreateWithData`.
 */
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../plist/index.ts";
import { decodeText } from "./decodeText.ts";
import { parseStrings } from "./parseOpenStep.ts";

/** A property-list `.strings` file whose top level is not a dictionary of strings. */
export class StringsFormatError extends SyntaxError {
  /** The offending key, when one value is at fault. */
  readonly key: string | undefined;

  constructor(message: string, key?: string) {
    super(message);
    this.name = "StringsFormatError";
    this.key = key;
  }
}

/**
 * Reads a `.strings` file (text, XML plist or binary plist) into its key → string table.
 * @throws {OpenStepSyntaxError} / the plist codecs' errors for malformed input, or
 *   {@link StringsFormatError} when a plist form does not hold a dictionary of strings.
 */
export function readStringsFile(bytes: Uint8Array): Map<string, string> {
  let plist;
  if (isBinaryPlist(bytes)) {
    plist = parseBinaryPlist(bytes);
  } else {
    const head = decodeText(bytes.subarray(0, 4096)).text.trimStart();
    if (!/^<(\?xml|!DOCTYPE|plist)/.test(head)) return parseStrings(bytes);
    plist = parseXMLPlist(bytes);
  }
  if (!(plist instanceof Map)) throw new StringsFormatError("Strings file property list is not a dictionary");
  const out = new Map<string, string>();
  for (const [k, v] of plist) {
    if (typeof v !== "string") throw new StringsFormatError(`Value for key "${k}" in strings file is not a string`, k);
    out.set(k, v);
  }
  return out;
}
