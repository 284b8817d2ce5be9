/**
 * Reading a property list whose format is not known in advance, as `CFPropertyListCreateWithData`
 * does: the `bplist00` magic means binary; text whose first non-blank character is `<` is XML;
 * anything else is the OpenStep text format (which includes `.strings` files).
 *
 * This lives above `formats/plist` and `formats/openstep` because the OpenStep reader itself uses
 * the plist codecs (for `.strings` files saved as XML or binary).
 */
import type { OSValue } from "../../libkern/index.ts";
import { OpenStepSyntaxError, parseOpenStep } from "../openstep/index.ts";
import { decodeXMLBytes, isBinaryPlist, parseBinaryPlist, parseXMLPlist, PlistFormatError, PlistSyntaxError } from "../plist/index.ts";

/** A property-list format, named as plutil names it. */
export type PlistFormat = "xml1" | "binary1" | "openstep";

/** A read value and the format it was read from (plutil writes edits back in that format). */
export interface ReadPlist {
  readonly value: OSValue;
  readonly format: PlistFormat;
}

/** The result of {@link tryParsePlist}. */
export type PlistResult =
  | { readonly ok: true; readonly value: OSValue; readonly format: PlistFormat }
  | { readonly ok: false; readonly error: PlistSyntaxError | PlistFormatError | OpenStepSyntaxError };

/** Names the format of a document from its first bytes. */
export function detectPlistFormat(input: Uint8Array | string): PlistFormat {
  if (typeof input !== "string" && isBinaryPlist(input)) return "binary1";
  const head = typeof input === "string" ? input.slice(0, 256) : decodeHead(input);
  return /^\uFEFF?\s*</.test(head) ? "xml1" : "openstep";
}

function decodeHead(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 256);
  if ((head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xff && head[1] === 0xfe)) return decodeXMLBytes(head.subarray(0, head.length & ~1));
  return new TextDecoder().decode(head);
}

/**
 * Reads a property list in any supported format and says which it was.
 *
 * @throws {PlistFormatError} for a malformed binary plist (byte offset)
 * @throws {PlistSyntaxError} for malformed XML (line and column)
 * @throws {OpenStepSyntaxError} for malformed OpenStep text (line and column)
 */
export function readPlist(input: Uint8Array | string): ReadPlist {
  if (input.length === 0) throw new PlistSyntaxError("Cannot parse a NULL or zero-length data", 1, 1);
  const format = detectPlistFormat(input);
  if (format === "binary1") return { value: parseBinaryPlist(input as Uint8Array), format };
  if (format === "xml1") return { value: parseXMLPlist(input), format };
  if (typeof input !== "string" && new TextDecoder().decode(input.subarray(0, 6)) === "bplist") {
    throw new PlistFormatError(`Unsupported binary plist version "${new TextDecoder().decode(input.subarray(6, 8))}"`, 6);
  }
  if (typeof input === "string" && input.startsWith("bplist")) throw new PlistFormatError(`Unsupported binary plist version "${input.slice(6, 8)}"`, 6);
  return { value: parseOpenStep(input), format };
}

/** Reads a property list in any supported format. Throws as {@link readPlist}. */
export function parsePlist(input: Uint8Array | string): OSValue {
  return readPlist(input).value;
}

/** {@link readPlist} without exceptions for bad input. */
export function tryParsePlist(input: Uint8Array | string): PlistResult {
  try {
    return { ok: true, ...readPlist(input) };
  } catch (error) {
    if (error instanceof PlistSyntaxError || error instanceof PlistFormatError || error instanceof OpenStepSyntaxError) return { ok: false, error };
    throw error;
  }
}
