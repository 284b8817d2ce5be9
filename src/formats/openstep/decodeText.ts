/**
 * Turns the bytes of an OpenStep plist or `.strings` file into text the way CoreFoundation guesses
 * the encoding: a UTF-32 or UTF-16 byte-order mark selects that encoding (and is dropped), a UTF-8
 * BOM is dropped, and anything else is read as UTF-8. Bytes that are not valid in the chosen
 * encoding are an error rather than U+FFFD, since CF's conversion fails on them too.
 */
import { OpenStepSyntaxError } from "./OpenStepSyntaxError.ts";

/** The encodings {@link decodeText} recognises. */
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "utf-32le" | "utf-32be";

/** Decodes `bytes`, reporting which encoding the BOM (or its absence) chose. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  const b0 = bytes[0], b1 = bytes[1], b2 = bytes[2], b3 = bytes[3];
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { text: utf32(bytes.subarray(4), false), encoding: "utf-32be" };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { text: utf32(bytes.subarray(4), true), encoding: "utf-32le" };
  if (b0 === 0xfe && b1 === 0xff) return { text: decode("utf-16be", bytes.subarray(2)), encoding: "utf-16be" };
  if (b0 === 0xff && b1 === 0xfe) return { text: decode("utf-16le", bytes.subarray(2)), encoding: "utf-16le" };
  const body = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? bytes.subarray(3) : bytes;
  return { text: decode("utf-8", body), encoding: "utf-8" };
}

function decode(label: string, bytes: Uint8Array): string {
  if (label !== "utf-8" && bytes.length % 2 !== 0) {
    throw new OpenStepSyntaxError(`Cannot decode ${label.toUpperCase()} text: odd byte count ${bytes.length}`, "", 0);
  }
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new OpenStepSyntaxError(`Cannot decode text as ${label.toUpperCase()}: invalid byte sequence`, "", 0);
  }
}

function utf32(bytes: Uint8Array, little: boolean): string {
  if (bytes.length % 4 !== 0) throw new OpenStepSyntaxError(`Cannot decode UTF-32 text: byte count ${bytes.length} is not a multiple of 4`, "", 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = view.getUint32(i, little);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new OpenStepSyntaxError(`Cannot decode UTF-32 text: invalid code point 0x${cp.toString(16)} at byte ${i + 4}`, "", 0);
    }
    parts.push(String.fromCodePoint(cp));
  }
  return parts.join("");
}
