/**
 * The kernel's entry point for serialized data arriving from user space (`OSUnserializeXML` with a
 * buffer size): a buffer of at least 4 bytes that starts with the binary signature (0xd3 0x00, or
 * 0xd4 for the indexed variant) is read by `OSUnserializeBinary`; anything else must be XML whose
 * last byte is the terminating NUL, and is read by `OSUnserializeXML`.
 */
import type { OSValue } from "../../libkern/index.ts";
import { isOSBinary, unserializeBinary } from "../osbinary/index.ts";
import { IOKitXMLSyntaxError } from "./IOKitXMLSyntaxError.ts";
import { unserializeXML, type UnserializeXMLOptions } from "./unserializeXML.ts";

/**
 * Reads a serialized buffer as the kernel does when user space sets properties or matches.
 * @throws {IOKitXMLSyntaxError} for a short or unterminated buffer and bad XML, or
 *   OSBinarySyntaxError for a bad binary serialization.
 */
export function unserializeKernelBuffer(buffer: Uint8Array, options: UnserializeXMLOptions = {}): OSValue {
  if (buffer.length < 4) throw new IOKitXMLSyntaxError(`Serialized buffer of ${buffer.length} bytes is shorter than the 4-byte minimum`, buffer, 0);
  if (isOSBinary(buffer)) return unserializeBinary(buffer);
  if (buffer[buffer.length - 1] !== 0) {
    throw new IOKitXMLSyntaxError("XML buffer is not NUL-terminated (its last byte must be 0)", buffer, buffer.length - 1);
  }
  return unserializeXML(buffer, options);
}
