/**
 * The I/O Kit kernel's own serialization dialects: the ID/IDREF XML read by `OSUnserializeXML`
 * and written by `OSSerialize` (kernel) or `IOCFSerialize` (user space), and the legacy
 * `OSUnserialize` text format.
 */
export { IOKitXMLSyntaxError } from "./IOKitXMLSyntaxError.ts";
export { unserializeXML, tryUnserializeXML, type UnserializeXMLOptions } from "./unserializeXML.ts";
export { serializeKernelXML, serializeIOCFXML } from "./serializeXML.ts";
export { unserializeKernelBuffer } from "./unserializeKernelBuffer.ts";
export { unserializeLegacy } from "./unserializeLegacy.ts";
export { serializeLegacy } from "./serializeLegacy.ts";
