/**
 * formats (L1): pure codecs, bytes or text in, `OSValue` out and back.
 */
export * from "./openstep/index.ts";
export * from "./iokitxml/index.ts";
export * from "./osbinary/index.ts";
