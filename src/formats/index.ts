/**
 * formats (L1): pure codecs on bytes and strings. No I/O; parse errors are `SyntaxError`s with a
 * position.
 */
export * from "./plist/index.ts";
export * from "./openstep/index.ts";
export * from "./iokitxml/index.ts";
export * from "./osbinary/index.ts";
export * from "./archiver/index.ts";
/** Pure codecs on bytes and text. */
export * from "./demangle/index.ts";
