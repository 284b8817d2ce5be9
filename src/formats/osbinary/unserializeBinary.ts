/**
 * Reader for the kernel's binary serialization (`OSUnserializeBinary`), with every bound checked.
 *
 * Mechanism, as in xnu: entries are read in order; every entry that is not a reference is appended
 * to an object table (so a reference `kOSSerializeObject | n` means "the n-th object read",
 * dictionary keys and booleans included). A non-empty collection becomes the current parent;
 * elements are added to it, alternating key and value for dictionaries; an entry with the end bit
 * closes the current collection (or, at top level, the whole buffer). Empty collections are leaves.
 * Anything after the final end bit is ignored.
 *
 * Checks, all raising {@link OSBinarySyntaxError} with the entry's offset: the signature; a
 * payload running past the buffer; number widths other than 8/16/32/64; symbols that are empty or
 * not NUL-terminated; references to objects not yet read; unknown types; a non-string dictionary
 * key; a second top-level object; nesting deeper than 63 collections (xnu's stack of 64); more
 * than 16M objects.
 *
 * // Divergence from XNU: a reference to a collection that is still open (a cycle) is rejected;
 * the kernel would build a cyclic object (except a dictionary referring to itself, which it skips,
 * as we do).
 */
import { num, type OSArray, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import * as C from "./constants.ts";
import { OSBinarySyntaxError } from "./OSBinarySyntaxError.ts";

// Module-local copies: re-exported bindings can be accessors, and these sit in hot loops.
const kOSSerializeArray = C.kOSSerializeArray;
const kOSSerializeBinarySignature = C.kOSSerializeBinarySignature;
const kOSSerializeBoolean = C.kOSSerializeBoolean;
const kOSSerializeData = C.kOSSerializeData;
const kOSSerializeDataMask = C.kOSSerializeDataMask;
const kOSSerializeDictionary = C.kOSSerializeDictionary;
const kOSSerializeEndCollection = C.kOSSerializeEndCollection;
const kOSSerializeIndexedBinarySignature = C.kOSSerializeIndexedBinarySignature;
const kOSSerializeNumber = C.kOSSerializeNumber;
const kOSSerializeObject = C.kOSSerializeObject;
const kOSSerializeSet = C.kOSSerializeSet;
const kOSSerializeString = C.kOSSerializeString;
const kOSSerializeSymbol = C.kOSSerializeSymbol;
const kOSSerializeTypeMask = C.kOSSerializeTypeMask;

const MAX_DEPTH = 63;
const MAX_OBJECTS = 16 * 1024 * 1024;
const decoder = new TextDecoder("utf-8");

type Frame =
  | { kind: "dict"; value: OSDictionary; key: string | undefined }
  | { kind: "array"; value: OSArray }
  | { kind: "set"; value: Set<OSValue> };

/** A C string of at most `len` bytes: the bytes up to the first NUL. */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return decoder.decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

/** True when `bytes` starts with a kernel binary serialization signature. */
export function isOSBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 &&
    ((bytes[0] === kOSSerializeBinarySignature && bytes[1] === 0) || bytes[0] === kOSSerializeIndexedBinarySignature);
}

/**
 * Parses a kernel binary serialization.
 * @throws {OSBinarySyntaxError} naming the offset of the first bad entry.
 */
export function unserializeBinary(bytes: Uint8Array): OSValue {
  if (!isOSBinary(bytes)) {
    throw new OSBinarySyntaxError("Not a kernel binary serialization: the signature word must be 0x000000d3 (or 0x......d4 when indexed)", 0);
  }
  const indexed = bytes[0] === kOSSerializeIndexedBinarySignature;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const objects: OSValue[] = [];
  // Each open non-empty collection with the collection to resume once it closes; `resume` is
  // undefined when the collection was its parent's last element, so the parent closes with it.
  const stack: Array<{ self: Frame; resume: Frame | undefined }> = [];
  const open = new Set<OSValue>();
  let parent: Frame | undefined;
  let result: OSValue | undefined;
  let pos = 4;
  // Consumes an entry's payload of `n` bytes (padded to 4), checking it lies within the buffer.
  const payload = (n: number, at: number): Uint8Array => {
    const padded = (n + 3) & ~3;
    if (pos + padded > bytes.length) throw new OSBinarySyntaxError(`Truncated: entry needs ${padded} payload bytes but ${bytes.length - pos} remain`, at);
    const b = bytes.subarray(pos, pos + n);
    pos += padded;
    return b;
  };

  for (;;) {
    const at = pos;
    if (pos + 4 > bytes.length) throw new OSBinarySyntaxError("Truncated: expected another entry (no end-of-collection bit closed the top level)", at);
    const key = view.getUint32(pos, true);
    pos += 4;
    const len = key & kOSSerializeDataMask;
    const type = key & kOSSerializeTypeMask;
    let end = (key & kOSSerializeEndCollection) !== 0;
    let o: OSValue;
    let isRef = false;
    let newFrame: Frame | undefined;
    switch (type) {
      case kOSSerializeDictionary:
        o = new Map();
        if (len) newFrame = { kind: "dict", value: o, key: undefined };
        break;
      case kOSSerializeArray:
        o = [];
        if (len) newFrame = { kind: "array", value: o };
        break;
      case kOSSerializeSet:
        o = new Set();
        if (len) newFrame = { kind: "set", value: o };
        break;
      case kOSSerializeObject:
        if (len >= objects.length) throw new OSBinarySyntaxError(`Reference to object ${len} but only ${objects.length} objects precede it`, at);
        o = objects[len] as OSValue;
        isRef = true;
        break;
      case kOSSerializeNumber: {
        const start = pos;
        payload(8, at);
        if (len !== 8 && len !== 16 && len !== 32 && len !== 64) throw new OSBinarySyntaxError(`Number width ${len} is not 8, 16, 32 or 64`, at);
        o = num(BigInt.asUintN(len, view.getBigUint64(start, true)), len);
        break;
      }
      case kOSSerializeSymbol: {
        const b = payload(len, at);
        if (len < 1) throw new OSBinarySyntaxError("Empty symbol", at);
        if (b[len - 1] !== 0) throw new OSBinarySyntaxError("Symbol is not NUL-terminated", at);
        o = cString(b);
        break;
      }
      case kOSSerializeString:
        o = cString(payload(len, at));
        break;
      case kOSSerializeData:
        o = payload(len, at).slice();
        break;
      case kOSSerializeBoolean:
        o = len !== 0;
        break;
      default:
        throw new OSBinarySyntaxError(`Unknown entry type 0x${(type >>> 24).toString(16).padStart(2, "0")}`, at);
    }
    if (newFrame && indexed) payload(4, at); // the indexed variant's collection length word

    if (!isRef) {
      if (objects.length >= MAX_OBJECTS) throw new OSBinarySyntaxError(`More than ${MAX_OBJECTS} objects`, at);
      objects.push(o);
    } else if (open.has(o) && !(parent?.kind === "dict" && parent.key !== undefined && o === parent.value)) {
      throw new OSBinarySyntaxError("Reference to a collection that is still open (a cycle)", at);
    }

    if (parent?.kind === "dict") {
      if (parent.key === undefined) {
        if (typeof o !== "string") throw new OSBinarySyntaxError("Dictionary key is not a symbol or string", at);
        parent.key = o;
      } else {
        // A dictionary that contains itself is skipped, as in the kernel.
        if (o !== parent.value) parent.value.set(parent.key, o);
        parent.key = undefined;
      }
    } else if (parent?.kind === "array") {
      parent.value.push(o);
    } else if (parent?.kind === "set") {
      parent.value.add(o);
    } else if (result !== undefined) {
      throw new OSBinarySyntaxError("A second top-level object follows the first", at);
    } else {
      result = o;
    }

    if (newFrame) {
      if (stack.length >= MAX_DEPTH) throw new OSBinarySyntaxError(`Collections nested deeper than ${MAX_DEPTH}`, at);
      stack.push({ self: newFrame, resume: end ? undefined : parent });
      open.add(newFrame.value);
      parent = newFrame;
      end = false;
    }
    if (end) {
      if (!parent) return result as OSValue;
      for (;;) {
        const e = stack.pop() as { self: Frame; resume: Frame | undefined };
        // Divergence from XNU: a key left without a value is an error; the kernel carries the
        // dangling key over to whatever dictionary entry comes next.
        if (e.self.kind === "dict" && e.self.key !== undefined) {
          throw new OSBinarySyntaxError(`Dictionary closed after key "${e.self.key}" without its value`, at);
        }
        open.delete(e.self.value);
        if (e.resume) {
          parent = e.resume;
          break;
        }
        if (stack.length === 0) return result as OSValue;
      }
    }
  }
}
